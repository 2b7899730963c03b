import Engine
import Foundation
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

    init(_ bundle: ModelBundle) {
        name = bundle.manifest.name
        description = bundle.manifest.description
        input = Input(name: bundle.model.inputName, shape: bundle.model.inputShape)
        preprocessing = bundle.manifest.preprocessing
        classCount = bundle.model.classCount
        defaultLayer = bundle.defaultLayer
        layers = bundle.model.targetLayers
    }

    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }
}
