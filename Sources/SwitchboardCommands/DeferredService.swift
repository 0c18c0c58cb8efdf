import ServiceLifecycle

/// A service built only when the group runs it — after the services before it (the store) have started — and
/// then run in place.
struct DeferredService: Service {
    let build: @Sendable () async throws -> any Service

    init(_ build: @escaping @Sendable () async throws -> any Service) {
        self.build = build
    }

    func run() async throws {
        let service: any Service
        do {
            service = try await cancelWhenGracefulShutdown { try await build() }
        } catch {
            // Stopped while starting: nothing ran yet, so nothing is left to finish.
            if Task.isShuttingDownGracefully { return }
            throw error
        }
        try await service.run()
    }
}
