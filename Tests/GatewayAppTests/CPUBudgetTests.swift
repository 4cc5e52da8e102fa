import GatewayApp
import Testing

/// The thread budget: cgroup quotas read as whole CPUs, the affinity mask counted, and the budget
/// never above either.
@Suite struct CPUBudgetTests {
    @Test func cgroupV2QuotasAreWholeCPUsRoundedUp() {
        #expect(CPUBudget.quota(cpuMax: "200000 100000\n") == 2)
        #expect(CPUBudget.quota(cpuMax: "150000 100000") == 2)
        #expect(CPUBudget.quota(cpuMax: "50000 100000") == 1)
        #expect(CPUBudget.quota(cpuMax: "max 100000\n") == nil)
        #expect(CPUBudget.quota(cpuMax: "") == nil)
        #expect(CPUBudget.quota(cpuMax: "garbage") == nil)
    }

    @Test func cgroupV1QuotasAreWholeCPUsRoundedUp() {
        #expect(CPUBudget.quota(quota: "400000\n", period: "100000\n") == 4)
        #expect(CPUBudget.quota(quota: "-1\n", period: "100000\n") == nil)
        #expect(CPUBudget.quota(quota: "100000", period: "0") == nil)
    }

    @Test func affinityListsAreCounted() {
        #expect(CPUBudget.count(cpuList: "0-1\n") == 2)
        #expect(CPUBudget.count(cpuList: "0-3,8,10-11") == 7)
        #expect(CPUBudget.count(cpuList: "5") == 1)
        #expect(CPUBudget.count(cpuList: "3-1") == nil)
        #expect(CPUBudget.count(cpuList: "a-b") == nil)
        #expect(CPUBudget.count(cpuList: "") == nil)
    }

    @Test func theBudgetIsNeverAboveTheAffinityMaskOrTheQuota() throws {
        let budget = CPUBudget.available()
        #expect(budget >= 1)
        let affinity = try #require(CPUBudget.affinityCount())  // Linux: always readable for oneself
        #expect(budget <= affinity)
        if let quota = CPUBudget.cgroupQuota() { #expect(budget <= quota) }
    }
}
