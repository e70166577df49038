import Foundation
import Training

/// An output folder that belongs to one run.
///
/// - A lock file (`.gradscope.lock`, held with `flock` for the whole run and released by the
///   kernel even after kill -9) stops a second concurrent run with exit 73 naming the first.
/// - A folder holding files (other than the lock, the owner note and temporary files) is
///   refused unless the run continues the run it holds (`--resume`), the user says `--force`
///   (gradscope's own output files are then removed first, so no stale checkpoint is left
///   beside new metrics), or the command replaces its own earlier output (the tour).
/// - Temporary files that an interrupted write left behind are removed.
/// - `.gradscope-run` notes which command made the folder and when.
final class RunFolder {
    enum Claim {
        /// A new run: the folder must be new or empty.
        case fresh
        /// Replace an earlier run's files (`--force`).
        case force
        /// Continue the run the folder holds (`--resume`).
        case resume
        /// The tour: it may replace an earlier tour's output.
        case replaceOwn
    }

    static let lockName = ".gradscope.lock"
    static let ownerName = ".gradscope-run"
    /// The files `train`, `compare`, `watch` and `diagnose --out` write.
    static let runFiles = [
        "metrics.csv", "metrics.json", "gradient-flow.svg", "report.html", "checkpoint.gsckpt", "watch.jsonl"
    ]

    let path: String
    private let lockDescriptor: Int32
    /// Temporary files of an interrupted write that were removed.
    private(set) var removedTemporaries = [String]()

    private init(path: String, lockDescriptor: Int32) {
        self.path = path
        self.lockDescriptor = lockDescriptor
    }

    deinit { close(lockDescriptor) }

    /// Creates or opens `path` for `command` (`train`, `compare`, `tour`, `watch`, `diagnose`).
    ///
    /// - Parameters:
    ///   - keeping: a file the command reads (`diagnose`'s stream): `--force` never removes it,
    ///     whatever path names it.
    static func claim(
        _ path: String, command: String, _ claim: Claim, keeping input: String? = nil
    ) throws
        -> RunFolder
    {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CLIError.output("cannot create \(path): \(describe(error))")
        }
        let lockPath = (path as NSString).appendingPathComponent(lockName)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError.output("cannot write in \(path): \(String(cString: strerror(errno)).lowercased())")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
            close(fd)
            throw CLIError.output(
                "\(path) is in use by another run (\(holder.flatMap { $0.isEmpty ? nil : $0 } ?? "gradscope")); wait for it to finish or choose another --out"
            )
        }
        let note = "gradscope \(command), pid \(getpid()), started \(ISO8601DateFormatter().string(from: Date()))\n"
        ftruncate(fd, 0)
        _ = note.withCString { Foundation.write(fd, $0, strlen($0)) }
        let folder = RunFolder(path: path, lockDescriptor: fd)
        folder.removedTemporaries = AtomicFile.removeStaleTemporaries(in: path)

        let owner =
            (try? String(contentsOfFile: (path as NSString).appendingPathComponent(ownerName), encoding: .utf8))?
            .split(separator: " ").first.map(String.init)
        let contents = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { $0 != lockName && $0 != ownerName && !AtomicFile.isTemporary($0) }.sorted()
        switch claim {
        case .resume:
            break
        case .force:
            let kept = input.flatMap(FileIdentity.init(path:))
            for name in runFiles where contents.contains(name) {
                let file = (path as NSString).appendingPathComponent(name)
                if let kept, FileIdentity(path: file) == kept { continue }
                try? FileManager.default.removeItem(atPath: file)
            }
        case .replaceOwn:
            // An earlier tour (its note, or before notes existed, its index and numbered steps).
            let tourFiles = contents.allSatisfy { $0 == "index.html" || $0.first?.isNumber == true }
            if !contents.isEmpty && owner != command && !(owner == nil && tourFiles && contents.contains("index.html"))
            {
                throw CLIError.output("\(path) already holds other files (\(listing(contents))); choose another --out")
            }
        case .fresh:
            if !contents.isEmpty {
                let what = owner.map { "the files of an earlier gradscope \($0) run" } ?? "other files"
                throw CLIError.output(
                    "\(path) already holds \(what) (\(listing(contents))); pass --force to replace them\(command == "train" ? ", --resume \(path) to continue that run," : "") or choose another --out"
                )
            }
        }
        try? "\(command) \(ISO8601DateFormatter().string(from: Date()))\n"
            .write(toFile: (path as NSString).appendingPathComponent(ownerName), atomically: false, encoding: .utf8)
        return folder
    }

    /// Without `--out`: `base`, or when that holds an earlier run, the first of `base-2`,
    /// `base-3`, … that is new or empty, so that runs in one working directory never mix.
    static func unused(_ base: String) -> String {
        func isFree(_ path: String) -> Bool {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                return !FileManager.default.fileExists(atPath: path)
            }
            return names.allSatisfy { $0 == lockName || $0 == ownerName || AtomicFile.isTemporary($0) }
        }
        if isFree(base) { return base }
        for n in 2..<10_000 where isFree("\(base)-\(n)") { return "\(base)-\(n)" }
        return base
    }

    private static func listing(_ names: [String]) -> String {
        names.count <= 4
            ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
    }
}

/// A file as the file system knows it (device and inode), whatever path names it.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// A file-system error in words, saying "permission denied" when that is the reason.
func describe(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code))).lowercased()
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))).lowercased() }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on device"
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
        default: break
        }
    }
    return error.localizedDescription
}
