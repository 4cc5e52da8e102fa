import GatewayCore
import GatewayStorageConformance
import Testing

/// The in-memory store (unit tests of the layers above storage) keeps the same promises as the
/// durable ones, durability aside.
@Test(arguments: StoreConformance.checks)
func inMemoryStoreConforms(_ check: StoreCheck) async throws {
    try await check.run(on: InMemoryMessageStore())
}
