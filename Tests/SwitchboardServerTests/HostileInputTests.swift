import Foundation
import HummingbirdTesting
import SwitchboardServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a hostile or broken client sends, over a real TCP connection: every answer is a problem+json with the
/// right status, nothing holds a connection (or its memory) forever, and health keeps answering.
@Suite("Hostile clients and input limits", .serialized)
struct HostileInputTests {
    static let auth = "Authorization: Bearer \(TestService.token)\r\n"

    /// Runs `body` with the port of a live service whose timeouts are short enough to test.
    func live(
        maximumConnections: Int = 4_096,
        timeouts: Duration = .seconds(20),
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        var service = try await TestService()
        service.configuration.idleTimeout = timeouts
        service.configuration.bodyTimeout = timeouts
        service.configuration.maximumConnections = maximumConnections
        try await service.test(.live) { client in try await body(try #require(client.port)) }
    }

    /// One request sent raw on a fresh connection.
    func exchange(_ port: Int, _ request: [UInt8]) throws -> (status: Int, headers: [String: String], body: String)? {
        let connection = try RawConnection(port: port)
        connection.send(request)
        return connection.response()
    }

    func lead(_ body: [UInt8]) -> [UInt8] {
        Array("POST /v1/leads HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Type: application/json\r\n".utf8)
            + Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    func expectProblem(
        _ answer: (status: Int, headers: [String: String], body: String)?,
        _ status: Int,
        mentioning text: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(answer?.status == status, "\(String(describing: answer))", sourceLocation: sourceLocation)
        #expect(
            answer?.headers["content-type"] == "application/problem+json",
            "\(String(describing: answer))",
            sourceLocation: sourceLocation
        )
        if let text {
            #expect(answer?.body.contains(text) == true, "\(answer?.body ?? "")", sourceLocation: sourceLocation)
        }
    }

    func healthy(_ port: Int) throws -> Bool {
        try exchange(port, Array("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".utf8))?.status == 200
    }

    @Test("a 10 MB body is refused with 413 from its Content-Length, before it is read")
    func oversizedBody() async throws {
        try await live { port in
            let connection = try RawConnection(port: port)
            connection.send(
                "POST /v1/leads HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Type: application/json\r\n"
                    + "Content-Length: 10485760\r\n\r\n"
            )
            expectProblem(connection.response(timeout: .seconds(15)), 413)
            #expect(try healthy(port))
        }
    }

    @Test("deeply nested JSON, invalid UTF-8, NUL and huge numbers get 400 problem+json, naming the field")
    func malformedBodies() async throws {
        try await live { port in
            let nested =
                Array(#"{"postalCode":"78701","firstName":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 100_000)
                + Array(repeating: UInt8(ascii: "]"), count: 100_000) + Array("}".utf8)
            expectProblem(try exchange(port, lead(nested)), 400)

            let invalidUTF8 = Array(#"{"postalCode":"78701","firstName":"A"#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
            expectProblem(try exchange(port, lead(invalidUTF8)), 400)

            let nul = Array(#"{"postalCode":"78701","firstName":"Ana\u0000Evil"}"#.utf8)
            expectProblem(try exchange(port, lead(nul)), 400, mentioning: "firstName")

            let huge = Array(#"{"latitude":1e999,"longitude":-97.7}"#.utf8)
            expectProblem(try exchange(port, lead(huge)), 400, mentioning: "latitude")

            let long =
                Array(#"{"postalCode":"78701","firstName":"Z"#.utf8)
                + Array(String(repeating: "\u{301}", count: 300_000).utf8) + Array(#""}"#.utf8)
            expectProblem(try exchange(port, lead(long)), 400, mentioning: "firstName")
            #expect(try healthy(port))
        }
    }

    @Test("a 100 KB URL gets 414, a 100 KB header or 5,000 headers get 431, all problem+json")
    func oversizedHeads() async throws {
        try await live { port in
            let url = "/v1/leads?cursor=" + String(repeating: "a", count: 100_000)
            expectProblem(try exchange(port, Array("GET \(url) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)), 414)

            let bigHeader = "X-Big: " + String(repeating: "b", count: 100_000) + "\r\n"
            expectProblem(try exchange(port, Array("GET /v1/leads HTTP/1.1\r\nHost: x\r\n\(bigHeader)\r\n".utf8)), 431)

            let manyHeaders = (0..<5_000).map { "X-H\($0): v\r\n" }.joined()
            expectProblem(
                try exchange(port, Array("GET /v1/leads HTTP/1.1\r\nHost: x\r\n\(manyHeaders)\r\n".utf8)),
                431
            )
            #expect(try healthy(port))
        }
    }

    @Test("a method a path does not have gets 405 with Allow")
    func methodNotAllowed() async throws {
        try await live { port in
            let answer = try exchange(port, Array("PATCH /v1/leads HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n".utf8))
            expectProblem(answer, 405)
            let allowed = Set(
                (answer?.headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            )
            #expect(allowed.isSuperset(of: ["GET", "POST"]), "Allow: \(answer?.headers["allow"] ?? "")")
        }
    }

    @Test("slowloris: a head or body trickled a byte at a time is cut off within the timeouts")
    func slowClients() async throws {
        try await live(timeouts: .seconds(1)) { port in
            let head = try RawConnection(port: port)
            head.send("POST /v1/leads HTTP/1.1\r\nHost: x\r\n")
            var cut = false
            for _ in 0..<40 where !cut {
                try await Task.sleep(for: .milliseconds(100))
                cut = !head.send("X")
            }
            #expect(cut || head.closedByServer(within: .seconds(2)), "a trickled head is closed by the idle timeout")

            let body = try RawConnection(port: port)
            body.send(
                "POST /v1/leads HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{"
            )
            cut = false
            for _ in 0..<40 where !cut {
                try await Task.sleep(for: .milliseconds(100))
                cut = !body.send(" ")
            }
            #expect(cut || body.closedByServer(within: .seconds(2)), "a trickled body is closed by the body timeout")
            #expect(try healthy(port))
        }
    }

    @Test("2,000 idle connections: health still answers; beyond the cap a connection gets 503 at once")
    func idleConnectionFlood() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 8_192 {
            limit.rlim_cur = min(limit.rlim_max, 8_192)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= 4_500, "the test needs 4,500 descriptors (the limit is \(limit.rlim_cur))")
        try await live(maximumConnections: 2_100, timeouts: .seconds(30)) { port in
            var idle: [RawConnection] = []
            for _ in 0..<2_000 { idle.append(try RawConnection(port: port)) }
            let started = ContinuousClock.now
            #expect(try healthy(port))
            #expect(ContinuousClock.now - started < .seconds(2))
            for _ in 0..<150 { idle.append(try RawConnection(port: port)) }
            let refused = try exchange(port, Array("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            expectProblem(refused, 503)
            #expect(refused?.headers["retry-after"] != nil)
            idle.removeAll()
            try await Task.sleep(for: .milliseconds(500))
            #expect(try healthy(port))
        }
    }
}
