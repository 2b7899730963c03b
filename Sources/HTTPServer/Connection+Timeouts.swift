import Dispatch
import HTTP1

extension Connection {
    /// What the connection is waiting for, and so which timeout applies.
    enum Deadline {
        case header, body, idle, write, linger
    }

    private func timeout(for kind: Deadline) -> Duration {
        let configuration = environment.configuration
        switch kind {
        case .header: return configuration.headerTimeout
        case .body: return configuration.bodyTimeout
        case .idle: return configuration.idleTimeout
        case .write: return configuration.writeTimeout ?? .seconds(365 * 24 * 3600)
        case .linger: return configuration.lingerTimeout
        }
    }

    /// Sets the connection's deadline to the timeout of `kind` from now. The deadline is fixed
    /// when the wait starts: bytes that keep dribbling in do not move it (slowloris).
    ///
    /// The timer itself is reprogrammed only when the new deadline is earlier than the time it
    /// is set for; when it fires early it sets itself again for the current deadline. Moving a
    /// Dispatch timer is costly, and a keep-alive connection moves its deadline several times
    /// per request.
    func arm(_ kind: Deadline, after duration: Duration? = nil) {
        let at = DispatchTime.now() + (duration ?? timeout(for: kind)).dispatchInterval
        deadline = (kind, at)
        if timerFiresAt.map({ at < $0 }) ?? true { program(at) }
    }

    func disarm() {
        deadline = nil
    }

    private func program(_ at: DispatchTime) {
        timerFiresAt = at
        timer?.schedule(deadline: at)
    }

    func deadlineFired() {
        timerFiresAt = nil
        guard let deadline, phase != .closed else { return }
        guard DispatchTime.now() >= deadline.at else { return program(deadline.at) }
        switch deadline.kind {
        case .header, .body:
            // RFC 9110 15.5.9: a server may send 408 on a connection it closes for slowness.
            let response = ErrorBody.response(
                status: .requestTimeout, code: "request_timeout",
                message: "the request did not arrive in time")
            response.serialized(keepAlive: false).withUnsafeBytes { _ = socket.send($0) }
            close()
        case .idle, .write, .linger:
            close()
        }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return .never }
        return .nanoseconds(Int(clamping: nanoseconds.partialValue + attoseconds / 1_000_000_000))
    }
}
