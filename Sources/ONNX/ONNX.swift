// The ONNX module. See Package.swift for its place in the data flow.
