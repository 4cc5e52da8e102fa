import Foundation
import GatewayCore
import Logging
import Metrics
import NIOCore
import SMPPClient
import SMPPCore
import SMPPSession
import ServiceLifecycle
import Synchronization

// The carrier's receipts and MO: matched in memory to what this run sent, else through the store
// (sent before a restart; long messages' parts).
extension UpstreamConnector {
    /// Receipts → the gateway's messages; MO → the account owning the number. A batch (one
    /// socket read) is matched under one lock and reported in one go; receipts for messages
    /// this run no longer holds are looked up in the store.
    func receive() async {
        for await batch in self.pool.inbound.batches {
            var reports: [(message: Message, status: MessageStatus, error: Int)] = []
            var lookups: [(SMPPReceipt, MessageStatus, Int)] = []
            var malformed: [SMPPReceipt] = []
            var parts: [DeliveredPart] = []
            self.awaiting.withLock { awaiting in
                for inbound in batch {
                    guard case .receipt(let receipt) = inbound else { continue }
                    guard !receipt.isIntermediate else { continue }
                    guard let state = receipt.state, let status = MessageStatus(state) else {
                        malformed.append(receipt)
                        continue
                    }
                    let error = Int(receipt.text?.error ?? "") ?? Int(receipt.networkErrorCode?.errorCode ?? 0)
                    // A part's receipt: the message is final when every part is delivered, or
                    // the first time one is not.
                    guard let reference = receipt.submission?.reference, let id = MessageID(reference), var pending = awaiting[id] else {
                        lookups.append((receipt, status, error))
                        continue
                    }
                    self.receiptPaths.inMemory.add(1, ordering: .relaxed)
                    pending.remaining -= 1
                    if status == .delivered && pending.remaining > 0 {
                        awaiting[id] = pending
                        if let part = receipt.submission?.messageID {
                            parts.append(DeliveredPart(messageID: id, upstream: UpstreamID(connector: self.name, id: part)))
                        }
                    } else {
                        awaiting[id] = nil
                        reports.append((pending.message, status, error))
                    }
                }
            }
            if !reports.isEmpty { self.gateway.carriers.reported(reports) }
            if !parts.isEmpty { self.gateway.carriers.delivered(parts: parts) }
            for receipt in malformed {
                // No state to give the message: it stays `sent` (a later receipt may settle it).
                self.metrics.malformedReceipts.increment()
                self.logger.notice(
                    "receipt without a readable state", metadata: ["upstream_id": "\(receipt.messageID)", "text": "\(receipt.text.map { "\($0)" } ?? "")"])
            }
            for (receipt, status, error) in lookups {
                do {
                    if try await !self.lookUp(receipt, status: status, error: error) {
                        self.receiptPaths.unknown.add(1, ordering: .relaxed)
                        self.metrics.unknownReceipts.increment()
                        self.logger.notice("receipt for an id this gateway never sent", metadata: ["upstream_id": "\(receipt.messageID)"])
                    }
                } catch {
                    self.logger.error("could not match a receipt", metadata: ["error": "\(error)"])
                }
            }
            for inbound in batch {
                guard case .message(let mo) = inbound else { continue }
                if !self.gateway.carriers.mo(source: mo.source, destination: mo.destination, dataCoding: mo.dataCoding, shortMessage: mo.content) {
                    self.logger.notice("MO for a number no account owns", metadata: ["destination": "\(mo.destination.address)"])
                }
            }
        }
    }

    /// A receipt for a message this run does not hold: already settled (a later part, a
    /// duplicate), or sent before a restart (the store knows the carrier's ids and which parts
    /// of a long message were delivered). False when no message is known by the receipt's id.
    func lookUp(_ receipt: SMPPReceipt, status: MessageStatus, error: Int) async throws -> Bool {
        if let reference = receipt.submission?.reference, let id = MessageID(reference) {
            self.receiptPaths.byReference.add(1, ordering: .relaxed)
            return try await self.gateway.carriers.reported(id, status: status, error: error)
        }
        guard let match = try await self.gateway.store.upstream(connector: self.name, upstreamIDs: self.pool.receiptSpellings(receipt.messageID))
        else { return false }
        self.receiptPaths.byStore.add(1, ordering: .relaxed)
        if match.parts > 1, status == .delivered {
            // A delivered part: final only when every other part was delivered too.
            let waiting = self.restoredParts.withLock { restored -> Bool in
                var delivered = match.deliveredParts.union(restored[match.messageID] ?? [])
                delivered.insert(match.upstreamID)
                if delivered.count < match.parts {
                    restored[match.messageID] = delivered
                    return true
                }
                restored[match.messageID] = nil
                return false
            }
            if waiting {
                self.gateway.carriers.delivered(
                    parts: [DeliveredPart(messageID: match.messageID, upstream: UpstreamID(connector: self.name, id: match.upstreamID))])
                return true
            }
        }
        return try await self.gateway.carriers.reported(match.messageID, status: status, error: error)
    }
}
