import Foundation
import Plotting
import Training

/// The demonstration's figure: mean |ΔW| per layer on a log scale over batches, above the cost
/// curve. With several runs (`compare`), layers keep their colour and runs get line styles.
enum GradientFlowFigure {
    static let styles: [LineStyle] = [.solid, .dashed, .dotted, .dashDot]

    static func chart(_ runs: [(label: String, history: TrainingHistory)], title: String) -> StackedChart {
        var updates = [LineSeries](), ratios = [LineSeries](), costs = [LineSeries]()
        let multiple = runs.count > 1
        for (r, run) in runs.enumerated() {
            let style = styles[r % styles.count]
            for (l, layer) in run.history.layers.enumerated() {
                let points = logBinned(run.history.series(layer: l) { $0.meanAbsoluteUpdate }, bins: Self.bins)
                let name = multiple ? "\(run.label): \(layer.name)" : "\(layer.name) (\(layer.activation))"
                let color = Palette.lines[l % Palette.lines.count]
                updates.append(LineSeries(name, x: points.x, y: points.y, color: color, style: style))
                let ratio = logBinned(run.history.series(layer: l) { $0.updateRatio }, bins: Self.bins)
                ratios.append(
                    LineSeries(multiple ? "" : name, x: ratio.x, y: ratio.y, color: color, style: style, width: 1.25))
            }
            let (x, y) = binned(run.history.batchLosses, bins: Self.bins)
            costs.append(
                LineSeries(
                    multiple ? run.label : "batch loss", x: x, y: y,
                    color: multiple ? Palette.lines[r % Palette.lines.count] : .ink, style: multiple ? style : .solid,
                    width: 1.25))
        }
        return StackedChart(
            title: title,
            xAxis: Axis("batch"),
            panels: [
                PlotPanel(
                    title: "mean |ΔW| per layer (weight change per step)", yAxis: Axis("mean |ΔW|", scale: .log),
                    series: updates, heightWeight: 1.6),
                PlotPanel(
                    title: "update ratio ‖ΔW‖/‖W‖ (cs231n: ≈ 10⁻³)", yAxis: Axis("ratio", scale: .log), series: ratios,
                    guides: [GuideLine("10⁻³", shape: .horizontal(y: 1e-3))], heightWeight: 1),
                PlotPanel(title: "cost", yAxis: Axis("loss"), series: costs, heightWeight: 1)
            ],
            width: 880, height: 760)
    }

    /// Points per curve at most: a figure of any run's length stays a few hundred kilobytes
    /// (a million readings drew a 24 MB SVG before).
    static let bins = 800

    /// At most `bins` points of a curve on a log axis: per run of consecutive readings, the mean
    /// step and the geometric mean of its positive values (what a log axis can show; a run with
    /// none is left out).
    static func logBinned(_ points: [(step: Int, value: Double)], bins: Int) -> (x: [Double], y: [Double]) {
        guard points.count > bins else { return (points.map { Double($0.step) }, points.map(\.value)) }
        let size = (points.count + bins - 1) / bins
        var x = [Double](), y = [Double]()
        var start = 0
        while start < points.count {
            let chunk = points[start..<min(start + size, points.count)]
            let shown = chunk.filter { $0.value > 0 && $0.value.isFinite }
            if !shown.isEmpty {
                x.append(shown.reduce(0) { $0 + Double($1.step) } / Double(shown.count))
                y.append(Foundation.exp(shown.reduce(0) { $0 + Foundation.log($1.value) } / Double(shown.count)))
            }
            start += size
        }
        return (x, y)
    }

    /// At most `bins` points: means of consecutive batches (non-finite losses are kept as gaps).
    static func binned(_ values: [Double], bins: Int) -> ([Double], [Double]) {
        guard values.count > bins else { return (values.indices.map(Double.init), values) }
        let size = (values.count + bins - 1) / bins
        var x = [Double](), y = [Double]()
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(start + size, values.count)]
            x.append(Double(start) + Double(chunk.count - 1) / 2)
            y.append(chunk.reduce(0, +) / Double(chunk.count))
            start += size
        }
        return (x, y)
    }
}
