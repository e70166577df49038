/// A point in SVG user units (y grows downwards).
struct Point: Hashable {
    var x: Double
    var y: Double
}

/// An axis-aligned rectangle in SVG user units.
struct Rect: Hashable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var maxX: Double { x + width }
    var maxY: Double { y + height }

    func contains(_ point: Point, tolerance: Double = 1e-6) -> Bool {
        point.x >= x - tolerance && point.x <= maxX + tolerance && point.y >= y - tolerance
            && point.y <= maxY + tolerance
    }
}

/// The part of segment a–b inside `rect` (Liang–Barsky clipping: Y.-D. Liang and B. A. Barsky, "A
/// new concept and method for line clipping", ACM TOG 3(1), 1984), or `nil` if none of it is inside.
func clip(_ a: Point, _ b: Point, to rect: Rect) -> (Point, Point)? {
    let dx = b.x - a.x
    let dy = b.y - a.y
    var t0 = 0.0
    var t1 = 1.0
    for (p, q) in [(-dx, a.x - rect.x), (dx, rect.maxX - a.x), (-dy, a.y - rect.y), (dy, rect.maxY - a.y)] {
        if p == 0 {
            if q < 0 { return nil }
        } else {
            let t = q / p
            if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
            if t0 > t1 { return nil }
        }
    }
    return (Point(x: a.x + t0 * dx, y: a.y + t0 * dy), Point(x: a.x + t1 * dx, y: a.y + t1 * dy))
}

/// Polylines through `points` inside `rect`: `nil` entries (undrawable values) and parts outside the
/// rectangle break the line, so gaps stay gaps.
func clippedPolylines(_ points: [Point?], to rect: Rect) -> [[Point]] {
    var lines: [[Point]] = []
    var current: [Point] = []
    func finish() {
        if !current.isEmpty { lines.append(current) }
        current = []
    }
    var previous: Point?
    for point in points {
        guard let point else {
            finish()
            previous = nil
            continue
        }
        if let start = previous {
            if let (a, b) = clip(start, point, to: rect) {
                if current.isEmpty || current.last != a {
                    finish()
                    current = [a]
                }
                current.append(b)
                if b != point { finish() }
            } else {
                finish()
            }
        } else if rect.contains(point) {
            current = [point]
        }
        previous = point
    }
    finish()
    return lines
}
