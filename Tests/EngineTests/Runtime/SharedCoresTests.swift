import Testing
@testable import Engine

struct SharedCoresTests {
    /// Each running job gets cores / jobs threads (rounded down, at least 1), never more than
    /// the session's own limit; a job learns whether it started with a core to spare.
    @Test func eachJobGetsItsEqualShareOfTheCores() {
        let two = SharedCores(cores: 2)
        #expect(two.threads(limit: 2) == 2)
        two.counting { spare in
            #expect(spare && two.threads(limit: 2) == 2)
            two.counting { spare in #expect(!spare && two.threads(limit: 2) == 1) }
            #expect(two.threads(limit: 2) == 2)
        }
        let four = SharedCores(cores: 4)
        four.counting { _ in
            #expect(four.threads(limit: 4) == 4)
            #expect(four.threads(limit: 2) == 2)
            four.counting { spare in
                #expect(spare && four.threads(limit: 4) == 2)
                four.counting { spare in
                    #expect(spare && four.threads(limit: 4) == 1)
                    four.counting { spare in four.counting { _ in #expect(!spare && four.threads(limit: 4) == 1) } }
                }
            }
        }
    }

    private struct JobFailed: Error {}

    /// A job that throws still stops being counted: otherwise every later job would run on
    /// fewer threads than the idle cores allow.
    @Test func aJobThatThrowsIsNoLongerCounted() {
        let cores = SharedCores(cores: 2)
        #expect(throws: JobFailed.self) { try cores.counting { (_: Bool) throws(JobFailed) in throw JobFailed() } }
        #expect(cores.runningJobs == 0)
        #expect(cores.threads(limit: 2) == 2)
    }

    /// A session's parallelism over `helpers` helper threads, sharing `cores` cores.
    private func sharingSession(helpers: Int, cores count: Int, _ body: (Parallelism, SharedCores, CoreLease, ThreadTeam) -> Void) {
        let team = ThreadTeam(helpers: helpers)
        defer { team.stop() }
        let cores = SharedCores(cores: count), lease = CoreLease(cores: cores)
        body(Parallelism(team: team, lease: lease), cores, lease, team)
    }

    /// Before each operator a sharing session takes the threads its share allows: all of its
    /// team while its job runs alone, none of the helpers beside another job, and none at all
    /// in a job that started beside another, even once that one has ended (it started with no
    /// core to spare), nor with a lease that no job set. Without sharing, always all.
    @Test func anOperatorUsesTheTeamOnlyWhileTheOtherCoresAreIdle() {
        sharingSession(helpers: 1, cores: 2) { sharing, cores, lease, team in
            #expect(sharing.forNextOperator().threads == 1)  // outside a job: never borrows
            cores.counting { spare in
                lease.mayBorrow = spare
                #expect(sharing.forNextOperator().threads == 2)
                #expect(sharing.forNextOperator().team != nil)
                #expect(Parallelism(team: team, lease: CoreLease(cores: cores)).forNextOperator().threads == 1)  // a lease no job set
                cores.counting { _ in
                    #expect(sharing.forNextOperator().threads == 1)
                    #expect(sharing.forNextOperator().team == nil)
                    #expect(Parallelism(team: team).forNextOperator().threads == 2)
                }
                #expect(sharing.forNextOperator().threads == 2)
            }
            cores.counting { _ in
                cores.counting { spare in
                    lease.mayBorrow = spare
                    #expect(sharing.forNextOperator().threads == 1)
                }
                #expect(sharing.forNextOperator().threads == 1)
            }
        }
    }

    /// Of three helpers, an operator whose share is two threads hands pieces to one helper only.
    @Test func aSmallerShareSplitsIntoFewerPieces() {
        sharingSession(helpers: 3, cores: 4) { parallelism, cores, lease, _ in
            cores.counting { _ in
                cores.counting { spare in
                    lease.mayBorrow = spare
                    let share = parallelism.forNextOperator()
                    #expect(share.threads == 2)
                    var pieces = [Range<Int>](repeating: 0..<0, count: 4)
                    pieces.withUnsafeMutableBufferPointer { pieces in
                        share.forEachPiece(of: 100) { range, thread in pieces[thread] = range }
                    }
                    #expect(pieces[0] == 0..<50 && pieces[1] == 50..<100)
                    #expect(pieces[2].isEmpty && pieces[3].isEmpty)
                }
            }
        }
    }
}
