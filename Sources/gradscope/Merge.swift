import ArgumentParser
import Foundation
import GradCheck

/// `gradscope merge`: one report from the part files of a sharded check.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the part files of a sharded check into one report.",
        discussion: """
            Gives the report the unsharded check gives: the same entries bit for
            bit, block verdicts, diagnosis and power. The files must belong
            together (same problem, point, seed, settings and version); a missing,
            duplicated or foreign part file is an error naming it. A shard whose
            program failed is reported (shard-error) and the rest stands; rerun it
            into the same file, or merge its rerun's file alongside: a successful
            rerun replaces the failed part.

            Exit status: 0 pass, 1 fail, 2 inconclusive (also: a --partial merge
            that would pass), 3 a shard's program failed, 64 usage error,
            65 a part file is malformed, foreign, duplicated or missing,
            66 a part file cannot be read, 73 unwritable --report or --text.

            Examples:
              gradscope merge part-*.json
              gradscope merge part-*.json --format json --report check.html
              gradscope merge part-*.json --partial     # what the finished shards say
            """)

    @Argument(help: ArgumentHelp("The part files (gradscope check --shard K/N --out FILE).", valueName: "part.json"))
    var files: [String] = []

    @Flag(help: "Merge the part files that exist and say which shards are missing (a pass becomes inconclusive).")
    var partial = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Also write an HTML report with per-block heatmaps of error/bound.")
    var report: String?

    @Option(help: ArgumentHelp("Also write the plain text report (no colour) to this file.", valueName: "file"))
    var text: String?

    @Option(help: "Rows per block in the text table.")
    var rows: Int = 8

    func validate() throws {
        if files.isEmpty { throw ValidationError("name the part files to merge, e.g. gradscope merge part-*.json") }
    }

    func run() throws {
        var parts = [(name: String, file: ShardFile)]()
        for path in files {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                FileHandle.standardError.write(Data("gradscope: cannot read \(path): \(describe(error))\n".utf8))
                throw ExitCode(ExitStatus.noInput)
            }
            do { parts.append((path, try ShardFile.decode(data))) } catch {
                FileHandle.standardError.write(
                    Data("gradscope: \(path) is not a gradscope part file: \(Self.describeDecoding(error))\n".utf8))
                throw ExitCode(ExitStatus.dataError)
            }
        }
        let merged: (title: String, report: GradientReport)
        do { merged = try ShardMerge.merge(parts, partial: partial) } catch {
            FileHandle.standardError.write(Data("gradscope: \(SettingFlags.message(error))\n".utf8))
            throw ExitCode(ExitStatus.dataError)
        }
        let title = merged.title + ", merged from \(parts.count) part file\(parts.count == 1 ? "" : "s")"
        do {
            try ReportOutput(format: format, rows: rows, html: report, text: text).emit(merged.report, title: title)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("gradscope: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        }
        throw ExitCode(merged.report.verdict.exitCode)
    }

    /// A decoding error in one line: the member and what was wrong.
    static func describeDecoding(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return describe(error) }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case .keyNotFound(let key, let c):
            return "no \"\(key.stringValue)\" at \(path(c).isEmpty ? "the top" : path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c)): \(c.debugDescription)"
        case .dataCorrupted(let c): return "\(path(c).isEmpty ? "" : path(c) + ": ")\(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}

/// Writes a check report as `check` and `merge` do: text or JSON on stdout, and optionally an
/// HTML and a plain text file.
struct ReportOutput {
    var format: OutputFormat
    var rows: Int
    var html: String?
    var text: String?
    /// A built-in model (it can compute in float64; the float32 power line names --dtype).
    var builtInModel = false

    func emit(_ report: GradientReport, title: String) throws {
        switch format {
        case .text:
            print(
                TextReport.commandLine(
                    title: title, rowsPerBlock: rows, color: Terminal.isColorTTY, builtInModel: builtInModel
                ).render(report),
                terminator: "")
        case .json:
            print(JSONReport.render(report))
        }
        if let path = text {
            do {
                try TextReport.commandLine(title: title, rowsPerBlock: rows, color: false, builtInModel: builtInModel)
                    .render(report)
                    .write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError.output(
                    "cannot write the text report to \(path): \(describe(error)) (the check itself finished: \(report.verdict.rawValue), printed above)"
                )
            }
        }
        if let path = html {
            do {
                try HTMLReport.commandLine(title: title).render(report).write(
                    toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError.output(
                    "cannot write the HTML report to \(path): \(describe(error)) (the check itself finished: \(report.verdict.rawValue), printed above)"
                )
            }
        }
    }
}
