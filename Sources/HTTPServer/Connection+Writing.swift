import Dispatch

extension Connection {
    /// Queues bytes for the peer and writes what the socket takes now.
    func enqueue(_ bytes: [UInt8]) {
        // Usually nothing is queued: the response becomes the queue as it is, rather than being
        // copied into it (an explanation's JSON body is about 330 KB).
        if outboundOffset == outbound.count {
            outbound = bytes
            outboundOffset = 0
        } else {
            outbound.append(contentsOf: bytes)
        }
        flush()
    }

    /// Writes queued bytes until done or the socket would block; then the write source calls
    /// again when there is room (back-pressure without blocking a thread).
    func flush() {
        while outboundOffset < outbound.count {
            let outcome = outbound.withUnsafeBytes { socket.send(UnsafeRawBufferPointer(rebasing: $0[outboundOffset...])) }
            switch outcome {
            case .sent(let count):
                outboundOffset += count
            case .wouldBlock:
                activateWriteSource()
                return
            case .failed:
                // The peer reset or went away: nothing more can be said to it.
                liveness.markGone()
                return close()
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 256 * 1024)
        outboundOffset = 0
        pauseWriteSource()
        if phase == .responding, exchange?.replied == true { finishExchange() }
    }

    private func activateWriteSource() {
        guard let writeSource, !writeSourceActive else { return }
        writeSource.resume()
        writeSourceActive = true
    }

    private func pauseWriteSource() {
        guard let writeSource, writeSourceActive else { return }
        writeSource.suspend()
        writeSourceActive = false
    }
}
