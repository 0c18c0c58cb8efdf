import Delivery
import Testing

@Suite("Retry schedule")
struct RetryScheduleTests {
    @Test("The standard ladder spreads eight attempts over more than a day, each within ±20 %")
    func standardLadder() {
        let schedule = RetrySchedule.standard
        #expect(schedule.maximumAttempts == 8)
        let total = (1...8).compactMap { schedule.delay(afterFailure: $0, random: 0.5) }.reduce(Duration.zero, +)
        #expect(total > .seconds(86_400))
        #expect(schedule.delay(afterFailure: 2, random: 0.5) == .seconds(5))
        #expect(schedule.delay(afterFailure: 3, random: 0) == .seconds(240))
        #expect(schedule.delay(afterFailure: 3, random: 0.999_999)! < .seconds(360))
        #expect(schedule.delay(afterFailure: 1, random: 0.9) == .zero)
        #expect(schedule.delay(afterFailure: 9, random: 0.5) == nil)
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
