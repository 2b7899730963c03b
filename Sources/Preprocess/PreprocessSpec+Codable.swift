extension PreprocessSpec {
    private enum CodingKeys: String, CodingKey {
        case width, height, resize, interpolation, mean, std, channelOrder
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Statistics go through Double, as Python floats do before torch makes them float32,
        // so a decimal like 0.485 rounds to the same Float here and in the reference.
        let mean = try container.decode([Double].self, forKey: .mean).map(Float.init)
        let std = try container.decode([Double].self, forKey: .std).map(Float.init)
        self.init(width: try container.decode(Int.self, forKey: .width),
                  height: try container.decode(Int.self, forKey: .height),
                  resize: try container.decode(ResizePolicy.self, forKey: .resize),
                  interpolation: try container.decode(Interpolation.self, forKey: .interpolation),
                  mean: mean, std: std,
                  channelOrder: try container.decode(ChannelOrder.self, forKey: .channelOrder))
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(resize, forKey: .resize)
        try container.encode(interpolation, forKey: .interpolation)
        try container.encode(mean.map(Double.init), forKey: .mean)
        try container.encode(std.map(Double.init), forKey: .std)
        try container.encode(channelOrder, forKey: .channelOrder)
    }
}

/// `{"shorterSide": 256}` or `{"exact": true}`: exactly one key.
extension ResizePolicy: Codable {
    private enum CodingKeys: String, CodingKey {
        case shorterSide, exact
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch (container.contains(.shorterSide), container.contains(.exact)) {
        case (true, false):
            self = .shorterSide(try container.decode(Int.self, forKey: .shorterSide))
        case (false, true) where try container.decode(Bool.self, forKey: .exact):
            self = .exact
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: container.codingPath,
                debugDescription: #"resize must be {"shorterSide": n} or {"exact": true}"#))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .shorterSide(let side): try container.encode(side, forKey: .shorterSide)
        case .exact: try container.encode(true, forKey: .exact)
        }
    }
}
