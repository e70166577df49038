import Foundation

/// An sRGB colour with 8-bit channels.
public struct Color: Sendable, Hashable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xff), green: UInt8((hex >> 8) & 0xff), blue: UInt8(hex & 0xff))
    }

    /// `#RRGGBB`, upper-case, as written into SVG and CSS.
    public var description: String {
        "#"
            + [red, green, blue].map { channel in
                let digits = String(channel, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
    }

    /// Relative luminance (WCAG 2.x, sRGB linearised), 0 for black to 1 for white.
    public var luminance: Double {
        func linear(_ channel: UInt8) -> Double {
            let c = Double(channel) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// The straight-line mix `(1 − t)·self + t·other` in sRGB, rounded to the nearest channel value.
    func mixed(with other: Color, _ t: Double) -> Color {
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return Color(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xFFFFFF)
    /// Text and axis lines.
    public static let ink = Color(hex: 0x222222)
    /// Grid lines.
    public static let grid = Color(hex: 0xE5E5E5)
    /// Reference lines and markers.
    public static let guide = Color(hex: 0x555555)
}

/// Colour lists for series.
public enum Palette {
    /// The Okabe–Ito palette, distinguishable with the common colour-vision deficiencies (M. Okabe and
    /// K. Ito, "Color Universal Design", 2002/2008): blue, vermillion, bluish green, reddish purple,
    /// orange, sky blue, black, yellow — ordered so the first colours contrast most on white.
    public static let okabeIto: [Color] = [
        Color(hex: 0x0072B2), Color(hex: 0xD55E00), Color(hex: 0x009E73), Color(hex: 0xCC79A7),
        Color(hex: 0xE69F00), Color(hex: 0x56B4E9), Color(hex: 0x000000), Color(hex: 0xF0E442)
    ]

    /// The colours series take in turn: ``okabeIto`` without its yellow, which is too light for thin
    /// lines on white.
    public static let lines: [Color] = okabeIto.filter { $0 != Color(hex: 0xF0E442) }

    /// `count` colours evenly spaced along ``ColorMap/viridis`` from 0 to 0.9 (the brightest yellow is
    /// left out, being hard to see on white): for series with an order, such as layers by depth.
    public static func sequential(count: Int) -> [Color] {
        (0..<count).map { ColorMap.viridis.color(at: count == 1 ? 0 : 0.9 * Double($0) / Double(count - 1)) }
    }
}
