import Foundation
import Plotting

/// Renders a ``SweepResult`` as a table and as an SVG of the V-shaped error-vs-step curves
/// with guide lines for truncation (∝ h²) and rounding (∝ σ/h) and the chosen step marked.
public enum SweepReport {
    public static func table(_ result: SweepResult) -> String {
        var lines = [String]()
        let header =
            "h".padding(toLength: 10, withPad: " ", startingAt: 0)
            + result.curves.map { "\($0.block)[\($0.index)]".padding(toLength: 16, withPad: " ", startingAt: 0) }
            .joined()
        lines.append(header)
        let steps = result.curves.first?.points.map(\.step) ?? []
        for (k, h) in steps.enumerated() {
            var line = shortNumber(h).padding(toLength: 10, withPad: " ", startingAt: 0)
            for c in result.curves {
                line += shortNumber(c.points[k].error).padding(toLength: 16, withPad: " ", startingAt: 0)
            }
            lines.append(line)
        }
        lines.append("")
        for c in result.curves {
            lines.append(
                "\(c.block)[\(c.index)]: analytic \(shortNumber(c.analytic)), chosen step \(shortNumber(c.chosenStep)), |f‴| ≈ \(shortNumber(c.thirdDerivative)); best error \(shortNumber(c.points.map(\.error).filter(\.isFinite).min() ?? .nan))"
            )
        }
        lines.append(
            "error = |D(h) − analytic| with D(h) the central difference; truncation ≈ h²|f‴|/6, rounding ≈ σ/h with σ = \(shortNumber(result.noise))."
        )
        return lines.joined(separator: "\n") + "\n"
    }

    public static func svg(
        _ result: SweepResult, title: String = "Central-difference error against step size"
    ) -> String {
        var series = [LineSeries]()
        var guides = [GuideLine]()
        var markers = [Marker]()
        for (k, c) in result.curves.enumerated() {
            let finite = c.points.filter { $0.error > 0 && $0.error.isFinite }
            series.append(
                LineSeries("\(c.block)[\(c.index)]", x: finite.map(\.step), y: finite.map(\.error), showsPoints: true))
            if k == 0 {
                let h = c.chosenStep
                if c.thirdDerivative > 0 {
                    guides.append(
                        .powerLaw("truncation ∝ h²", exponent: 2, through: (x: h, y: c.thirdDerivative * h * h / 6)))
                }
                if result.noise > 0 {
                    guides.append(.powerLaw("rounding ∝ σ/h", exponent: -1, through: (x: h, y: result.noise / h)))
                }
                markers.append(.vertical(h, label: "chosen h = \(shortNumber(h))"))
            }
        }
        return LineChart(
            title: title, xAxis: Axis("step h", scale: .log), yAxis: Axis("|D(h) − analytic|", scale: .log),
            series: series, guides: guides, markers: markers, width: 760, height: 480
        ).svg()
    }
}
