import Delivery
import Testing

@Suite("Retry schedule")
struct RetryScheduleTests {
    @Test("The standard ladder retries within seconds first, then spreads nine attempts over more than 17 hours")
    func standardLadder() {
        let schedule = RetrySchedule.standard
        #expect(schedule.maximumAttempts == 9)
        let total = (1...9).compactMap { schedule.delay(afterFailure: $0, random: 0.5) }.reduce(Duration.zero, +)
        #expect(total > .seconds(17 * 3_600))
        // A blip is over within the first minute: 1 s, 5 s, 15 s.
        let firstThree = (1...3).compactMap { schedule.delay(afterFailure: $0, random: 0.999_999) }
        #expect(firstThree.reduce(Duration.zero, +) < .seconds(30))
        #expect(schedule.delay(afterFailure: 2, random: 0.5) == .seconds(5))
        #expect(schedule.delay(afterFailure: 5, random: 0) == .seconds(240))
        #expect(schedule.delay(afterFailure: 5, random: 0.999_999)! < .seconds(360))
        #expect(schedule.delay(afterFailure: 1, random: 0.5) == .seconds(1))
        #expect(schedule.delay(afterFailure: 10, random: 0.5) == nil)
        #expect(schedule.delay(afterFailure: 0, random: 0.5) == nil)
    }

    @Test(
        "Failures are sorted by what GHL answered",
        arguments: [
            (429, DeliveryFailure.throttled(retryAfter: nil)), (408, .transient("m")), (500, .transient("m")),
            (503, .transient("m")), (400, .permanent("m")), (401, .permanent("m")), (404, .permanent("m")),
            (422, .permanent("m")),
        ]
    )
    func classification(status: Int, expected: DeliveryFailure) {
        #expect(DeliveryFailure.classify(status: status, message: "m") == expected)
        #expect(DeliveryFailure.classify(status: status, message: "m").countsAsAttempt == (status != 429))
    }

    @Test("No answer at all (timeout, connection refused) is transient")
    func noAnswer() {
        #expect(DeliveryFailure.classify(status: nil, message: "timeout") == .transient("timeout"))
    }
}
