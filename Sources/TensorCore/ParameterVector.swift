/// Flattening a list of tensors into one vector and back: the "unrolled parameter vector"
/// of Ng's ex4 (`nn_params = [Theta1(:); Theta2(:)]`), except that GradScope unrolls each
/// block in row-major order.
public enum ParameterVector {
    /// All elements of `tensors`, row-major, blocks concatenated in order.
    public static func flatten<S: TensorScalar>(_ tensors: [Tensor<S>]) -> [S] {
        var out = [S]()
        out.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for t in tensors { out.append(contentsOf: t.scalars) }
        return out
    }

    /// Splits `vector` into tensors of the given shapes (the inverse of ``flatten(_:)``).
    public static func unflatten<S: TensorScalar>(_ vector: [S], shapes: [[Int]]) -> [Tensor<S>] {
        let total = shapes.reduce(0) { $0 + $1.reduce(1, *) }
        precondition(
            vector.count == total, "vector of length \(vector.count) does not fill shapes \(shapes) (\(total) elements)"
        )
        var start = 0
        return shapes.map { shape in
            let n = shape.reduce(1, *)
            defer { start += n }
            return Tensor(shape: shape, scalars: Array(vector[start..<(start + n)]))
        }
    }
}
