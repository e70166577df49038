// A test target that depends on GradScopeTesting alone gets the checker (GradCheck), the
// checks of Swift's own derivatives (DifferentiableCheck), and the layer and tensor types the
// helpers take (NeuralNet, TensorCore) with one `import GradScopeTesting`.
@_exported import DifferentiableCheck
@_exported import GradCheck
@_exported import NeuralNet
@_exported import TensorCore
