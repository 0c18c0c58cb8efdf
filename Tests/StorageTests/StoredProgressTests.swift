import Foundation
import LeadTracking
import Testing

@testable import Storage

@Suite("An attempt's progress as stored")
struct StoredProgressTests {
    /// Progress built by every kind of event, with times that do not round to whole seconds.
    static func samples() -> [AttemptProgress] {
        var rules = WorkedRules()
        rules.stageSteps = ["Trial booked": .booked, "Joined": .won]
        let changes: [GHLEvent.Change] = [
            .message(.init(id: "m1", outbound: true, messageType: "CALL", userID: "u1", source: "app")),
            .message(.init(id: "m2", outbound: false, messageType: "SMS", body: "yes")),
            .opportunity(
                .init(id: "o", status: "won", pipelineStageID: "s3", stageName: "Trial booked", monetaryValue: 99.5)
            ),
            .opportunity(.init(id: "o", pipelineStageID: "s4", stageName: "Joined")),
            .appointment(.init(id: "a1", status: "showed")), .appointment(.init(id: "a2", status: "cancelled")),
            .tags(["switchboard:claimed"]), .doNotDisturb(true), .contactDeleted,
        ]
        var samples = [AttemptProgress()]
        var progress = AttemptProgress()
        for (index, change) in changes.enumerated() {
            progress.apply(
                GHLEvent(
                    webhookID: "w\(index)",
                    type: "Event",
                    ghlLocationID: "loc",
                    contactID: "c",
                    occurredAt: Date(timeIntervalSince1970: 1_780_316_766.912_000_2 + Double(index) * 61.3),
                    change: change
                ),
                rules: rules
            )
            samples.append(progress)
        }
        var rerouted = progress
        rerouted.reroutedAway = true
        return samples + [rerouted]
    }

    @Test("What is written reads back the same, without the decoder, as the decoder reads it")
    func roundTrip() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        for progress in Self.samples() {
            let text = try AttemptProgress.storedText(progress)
            #expect(StoredProgressReader.read(text) == progress, "\(text)")
            #expect(try decoder.decode(AttemptProgress.self, from: Data(text.utf8)) == progress)
        }
    }

    @Test("Times and values read back to the last bit as the decoder reads them, whatever their digits")
    func exactNumbers() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var progress = AttemptProgress()
            progress.firstTouchAt = Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &generator))
            progress.monetaryValue = Stamped(Double.random(in: 0..<10_000, using: &generator), at: Date())
            let text = try AttemptProgress.storedText(progress)
            #expect(
                StoredProgressReader.read(text) == (try decoder.decode(AttemptProgress.self, from: Data(text.utf8))),
                "\(text)"
            )
        }
    }

    @Test("What the reader does not expect is left to the decoder: older forms still read, bad ones name the field")
    func unknownShapes() throws {
        let old = #"{"appointments":{},"firstTouchAt":1780315526.88,"reroutedAway":false}"#
        #expect(try AttemptProgress.stored(old).firstTouchAt == Date(timeIntervalSince1970: 1_780_315_526.88))
        // An escaped user id: the reader declines, the decoder reads it.
        let escaped = #"{"appointments":{},"firstTouchUserID":"a\"b","reroutedAway":false}"#
        #expect(StoredProgressReader.read(escaped) == nil)
        #expect(try AttemptProgress.stored(escaped).firstTouchUserID == "a\"b")
        for bad in [
            #"{"appointments":{},"firstTouchAt":"soon"}"#, #"{"appointments":{},"reroutedAway":false"#,
            #"{"appointments":{},"reroutedAway":false} trailing"#, #"{"status":{"at":1}}"#,
        ] {
            #expect(StoredProgressReader.read(bad) == nil, "\(bad)")
            #expect(throws: (any Error).self) { try AttemptProgress.stored(bad) }
        }
    }
}
