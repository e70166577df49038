import Plotting

/// Small fixed figures for the golden snapshots and well-formedness checks: one of each kind the
/// reports use, with data written out (no random numbers, no floating-point library calls beyond
/// multiplication), so the SVG text is the same on every platform.
enum GoldenFigures {
    /// Gradient flow: per-layer gradient norms (log) above the cost, sharing the batch axis.
    static func flow() -> StackedChart {
        let batches = (0..<8).map(Double.init)
        let layer1: [Double] = [3e-4, 2.5e-4, 2e-4, 1.6e-4, 1.5e-4, 1.2e-4, 1.1e-4, 1e-4]
        let layer2: [Double] = [2e-2, 1.8e-2, .nan, 1.2e-2, 1e-2, 9e-3, 8e-3, 7.5e-3]
        let cost: [Double] = [2.3, 1.7, 1.2, 0.9, 0.7, 0.55, 0.5, 0.45]
        return StackedChart(
            title: "Gradient flow",
            xAxis: Axis("batch"),
            panels: [
                PlotPanel(
                    title: "gradient norm per layer", yAxis: Axis("‖g‖", scale: .log),
                    series: [
                        LineSeries("dense 1", x: batches, y: layer1), LineSeries("dense 2", x: batches, y: layer2)
                    ],
                    heightWeight: 2),
                PlotPanel(
                    title: "cost", yAxis: Axis("cost"), series: [LineSeries("train", x: batches, y: cost, color: .ink)],
                    markers: [.vertical(5, label: "lr ÷ 10")])
            ],
            width: 560, height: 420)
    }

    /// A step-size sweep: the V-shaped error curve on log-log axes with its two guide lines and the
    /// chosen step.
    static func sweep() -> LineChart {
        let h: [Double] = [1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]
        let error: [Double] = [2e-6, 2e-7, 2e-8, 2.2e-9, 4e-10, 3e-11, 1e-8, 1e-6, 1e-4]
        return LineChart(
            title: "Error vs step size <h>",
            xAxis: Axis("h", scale: .log), yAxis: Axis("relative error", scale: .log),
            series: [LineSeries("measured", x: h, y: error, showsPoints: true)],
            guides: [
                GuideLine.powerLaw("truncation ∝ h²", exponent: 2, through: (x: 1e-2, y: 1e-4)),
                GuideLine.powerLaw("rounding ∝ ε/h", exponent: -1, through: (x: 1e-10, y: 2e-6), style: .dotted)
            ],
            markers: [.vertical(1e-5, label: "chosen h"), .horizontal(1e-7, label: "tolerance")],
            width: 560, height: 380)
    }

    /// A per-block error map on a log colour scale, with one missing block.
    static func heatmap() -> Heatmap {
        Heatmap(
            title: "Relative error per block",
            values: [[1e-9, 3e-8, 2e-7], [5e-10, .nan, 4e-6]],
            rowLabels: ["W1", "W2"], columnLabels: ["rows 0–7", "rows 8–15", "rows 16–23"],
            rowAxisLabel: "parameter", columnAxisLabel: "block",
            colorAxis: Axis("relative error", scale: .log), width: 520, height: 260)
    }

    static func bars() -> BarChart {
        BarChart(
            title: "Gradient norm per layer", categories: ["dense1.W", "dense1.b", "dense2.W", "dense2.b"],
            values: [2e-4, 3e-5, 0.012, .nan], xLabel: "parameter", yAxis: Axis("‖g‖₂", scale: .log),
            width: 420, height: 300)
    }

    /// The names of the golden figures, `Golden/NAME.svg`.
    static let names = ["flow", "sweep", "heatmap", "bars"]

    /// The SVG document of the figure called `name`.
    static func svg(_ name: String) -> String {
        switch name {
        case "flow": flow().svg()
        case "sweep": sweep().svg()
        case "heatmap": heatmap().svg()
        case "bars": bars().svg()
        default: fatalError("no golden figure called \(name)")
        }
    }
}
