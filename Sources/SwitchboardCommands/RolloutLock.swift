import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One rollout at a time per data directory: an exclusive `flock` on DATA_DIR/rollout.lock, which the kernel
/// releases when the process ends in any way (also `kill -9`), so a crash never leaves a stale lock.
struct RolloutLock {
    private let descriptor: Int32

    init(directory: String) throws {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("rollout.lock").path
        descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw CommandFailure("\(path): cannot be opened to lock the rollout") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw CommandFailure(
                "another rollout is running on \(directory) (it holds \(path)); wait for it, or stop it first"
            )
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
