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
                let points = run.history.series(layer: l) { $0.meanAbsoluteUpdate }
                let name = multiple ? "\(run.label): \(layer.name)" : "\(layer.name) (\(layer.activation))"
                let color = Palette.lines[l % Palette.lines.count]
                updates.append(
                    LineSeries(
                        name, x: points.map { Double($0.step) }, y: points.map(\.value), color: color, style: style))
                let ratio = run.history.series(layer: l) { $0.updateRatio }
                ratios.append(
                    LineSeries(
                        multiple ? "" : name, x: ratio.map { Double($0.step) }, y: ratio.map(\.value),
                        color: color, style: style, width: 1.25))
            }
            let (x, y) = binned(run.history.batchLosses, bins: 800)
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
