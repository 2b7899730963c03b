import Engine
import Foundation
import ImageCodecs
import Preprocess

/// GET /v1/model: what a client needs to call /explain well.
struct ModelDescription: Encodable {
    struct Input: Encodable { let name: String; let shape: [Int] }
    let name: String
    let description: String?
    let input: Input
    let preprocessing: PreprocessSpec
    let classCount: Int
    let defaultLayer: String?
    let layers: [LayerInfo]
    /// The size JPEGs are drafted to (ServiceConfig.jpegDraft), so a client can reproduce the
    /// pipeline; absent when they are decoded whole.
    let jpegDraft: JPEGDraft?

    init(_ bundle: ModelBundle, jpegDraft: JPEGDraft? = nil) {
        name = bundle.manifest.name
        description = bundle.manifest.description
        input = Input(name: bundle.model.inputName, shape: bundle.model.inputShape)
        preprocessing = bundle.manifest.preprocessing
        classCount = bundle.model.classCount
        defaultLayer = bundle.defaultLayer
        layers = bundle.model.targetLayers
        self.jpegDraft = jpegDraft
    }

    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }
}
