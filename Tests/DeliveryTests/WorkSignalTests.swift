import Testing

@testable import Delivery

@Suite("Work signal")
struct WorkSignalTests {
    @Test("A wait ends with true when signalled (at once for a signal sent earlier), with false on its timeout")
    func signalOrTimeout() async throws {
        let signal = WorkSignal()
        #expect(await signal.wait(timeout: .milliseconds(20)) == false)
        signal.signal()
        #expect(await signal.wait(timeout: .seconds(30)) == true)
        let sender = Task {
            try await Task.sleep(for: .milliseconds(20))
            signal.signal()
        }
        #expect(await signal.wait(timeout: .seconds(30)) == true)
        try await sender.value
    }
}
