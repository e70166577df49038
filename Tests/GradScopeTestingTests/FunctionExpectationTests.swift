import _Differentiation
import DifferentiableCheck
import GradCheck
import GradScopeTesting
import Synchronization
import Testing

/// Collects the issues a helper records inside `withKnownIssue`.
final class IssueLog: Sendable {
    let issues = Mutex<[(comment: String, line: Int?)]>([])
    func add(_ issue: Issue) {
        let text = issue.comments.map(\.rawValue).joined(separator: "\n")
        issues.withLock { $0.append((text, issue.sourceLocation?.line)) }
    }
    var all: [(comment: String, line: Int?)] { issues.withLock { $0 } }
}

struct FunctionExpectationTests {
    @Test func passingFunctionRecordsNothing() {
        let report = expectGradientsMatch(of: { (x: [Double]) in quarticSumRight(x) }, at: [0.5, -1.5, 2.0])
        #expect(report.passed)
        #expect(report.passed == (GradientExpectation.failureMessage(for: report) == nil))
    }

    @Test func failingFunctionRecordsTheTableAtTheCaller() throws {
        let log = IssueLog()
        var line = 0
        withKnownIssue {
            line = #line + 1
            expectGradientsMatch(of: { (x: [Double]) in quarticSum(x) }, at: [0.5, -1.5, 2.0])
        } matching: { issue in
            log.add(issue)
            return true
        }
        let issues = log.all
        try #require(issues.count == 1)
        #expect(issues[0].line == line)
        #expect(issues[0].comment.contains("sign"))
        try Snapshot.expectMatches(issues[0].comment, named: "function-sign-bug")
    }

    @Test func jacobianFailureNamesTheRow() throws {
        let log = IssueLog()
        withKnownIssue {
            expectJacobianMatches(of: { (v: SIMD2<Double>) in productAndFirst(v) }, at: SIMD2(1.5, 2.0), name: "v")
        } matching: { issue in
            log.add(issue)
            return true
        }
        let message = try #require(log.all.first?.comment)
        #expect(message.contains("jacobian-row: Row 1"))
        #expect(message.contains("∂F1/∂v"))
        #expect(!message.contains("Row 0"))
    }
}
