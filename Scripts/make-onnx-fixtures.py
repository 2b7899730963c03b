#!/usr/bin/env python3
"""Writes the ONNX test fixtures into Tests/ONNXTests/Fixtures.

Every model is written by the `onnx` package itself (onnx.helper / onnx.save_model). Next to
each `<name>.onnx` goes `<name>.json`: what `onnx` reads back from that file (versions, nodes,
attributes, initializer values, value infos). The Swift tests compare their own reading to it,
so the reference is onnx's parser, not numbers typed into a test.

Run from the repository root:  python3 Scripts/make-onnx-fixtures.py
"""
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "Tests", "ONNXTests", "Fixtures")
WHEEL_LIGHT_MODELS = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")


def conv_weights():
    rng = np.random.default_rng(seed=7)
    weight = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    bias = np.array([0.5, -0.25, 1.0e-3], dtype=np.float32)
    return weight, bias


def tensor(name, array, raw):
    """An initializer, with data in raw_data (raw=True) or in the typed field (float_data...)."""
    if raw:
        return numpy_helper.from_array(array, name)
    data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
    return helper.make_tensor(name, data_type, array.shape, array.flatten().tolist(), raw=False)


def conv_graph(raw=True, weights_as_inputs=False):
    """x (1,2,5,5) -> Conv(3x3, pad 1) -> Relu -> y (1,3,5,5), with a symbolic batch size."""
    weight, bias = conv_weights()
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["conv"], name="conv0",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["conv"], ["y"], name="relu0"),
    ]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 5, 5])]
    if weights_as_inputs:
        inputs += [helper.make_tensor_value_info("w", TensorProto.FLOAT, list(weight.shape)),
                   helper.make_tensor_value_info("b", TensorProto.FLOAT, list(bias.shape))]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3, 5, 5])]
    value_info = [helper.make_tensor_value_info("conv", TensorProto.FLOAT, None)]
    return helper.make_graph(nodes, "tiny_conv", inputs, outputs,
                             initializer=[tensor("w", weight, raw), tensor("b", bias, raw)],
                             value_info=value_info)


def model(graph, ir_version, opset, **extra):
    return helper.make_model(graph, ir_version=ir_version, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="make-onnx-fixtures", producer_version="1", **extra)


def attributes_graph():
    """One node per attribute kind, in a custom domain so no schema constrains them."""
    small = numpy_helper.from_array(np.array([[1, -2], [3, 4]], dtype=np.int64), "small")
    half = numpy_helper.from_array(np.array([1.5, -2.0, 65504.0, 6.1035156e-05], dtype=np.float16), "half")
    branch = helper.make_graph([helper.make_node("Identity", ["x"], ["z"])], "branch",
                               [], [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1])])
    node = helper.make_node(
        "Everything", ["x", "", "x"], ["y"], name="every_kind", domain="com.example",
        alpha=0.25, axis=-3, mode="reflect", value=small, half=half,
        scales=[1.0, 2.5, -0.125], perm=[0, 3, 1, 2], names=["a", "bé", ""], body=branch)
    return helper.make_graph([node], "attributes",
                             [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                             [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])])


def summary(path):
    """What onnx reads from `path`: the reference the Swift tests compare against."""
    m = onnx.load(path, load_external_data=True)

    def value_info(v):
        t = v.type.tensor_type if v.type.HasField("tensor_type") else None
        shape = None
        if t is not None and t.HasField("shape"):
            shape = [{"value": d.dim_value} if d.HasField("dim_value") else
                     {"param": d.dim_param} if d.HasField("dim_param") else {} for d in t.shape.dim]
        return {"name": v.name, "elementType": t.elem_type if t else None, "shape": shape}

    def tensor_summary(t):
        array = numpy_helper.to_array(t)
        values = array.astype(np.float64).flatten().tolist() if array.dtype.kind == "f" else \
            array.astype(np.int64).flatten().tolist()
        return {"name": t.name, "dataType": t.data_type, "dims": list(t.dims), "values": values}

    def attribute(a):
        kind = helper.get_attribute_value(a)
        entry = {"type": a.type}
        if a.type == onnx.AttributeProto.TENSOR:
            entry["tensor"] = tensor_summary(a.t)
        elif a.type in (onnx.AttributeProto.FLOAT, onnx.AttributeProto.INT, onnx.AttributeProto.FLOATS,
                        onnx.AttributeProto.INTS):
            entry["value"] = kind if not isinstance(kind, list) else list(kind)
        elif a.type == onnx.AttributeProto.STRING:
            entry["value"] = kind.decode()
        elif a.type == onnx.AttributeProto.STRINGS:
            entry["value"] = [s.decode() for s in kind]
        return entry

    g = m.graph
    return {
        "irVersion": m.ir_version,
        "opsetImports": [{"domain": o.domain, "version": o.version} for o in m.opset_import],
        "producerName": m.producer_name, "producerVersion": m.producer_version,
        "graphName": g.name,
        "nodes": [{"name": n.name, "opType": n.op_type, "domain": n.domain, "inputs": list(n.input),
                   "outputs": list(n.output), "attributes": {a.name: attribute(a) for a in n.attribute}}
                  for n in g.node],
        "initializers": [tensor_summary(t) for t in g.initializer],
        "inputs": [value_info(v) for v in g.input],
        "outputs": [value_info(v) for v in g.output],
        "valueInfo": [value_info(v) for v in g.value_info],
    }


def write(name, m, **save_options):
    path = os.path.join(FIXTURES, name + ".onnx")
    onnx.save_model(m, path, **save_options)
    with open(os.path.join(FIXTURES, name + ".json"), "w") as f:
        json.dump(summary(path), f, indent=1, ensure_ascii=False)
        f.write("\n")


def external_escape(location):
    """A model whose weight claims to live at `location` (outside the model directory)."""
    m = model(conv_graph(), 8, 13)
    w = m.graph.initializer[0]
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "216")):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    return m


def main():
    shutil.rmtree(FIXTURES, ignore_errors=True)
    os.makedirs(os.path.join(FIXTURES, "external"))
    write("conv_raw", model(conv_graph(raw=True), 8, 13))
    write("conv_float_data", model(conv_graph(raw=False), 8, 13))
    write("ir3_opset7_weights_as_inputs", model(conv_graph(weights_as_inputs=True), 3, 7))
    write("ir10_opset18", model(conv_graph(), 10, 18))
    write("ir11_opset23", model(conv_graph(), 11, 23))
    write("attributes", helper.make_model(attributes_graph(), ir_version=9, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)]))
    write(os.path.join("external", "conv_external"), model(conv_graph(), 8, 13),
          save_as_external_data=True, all_tensors_to_one_file=True,
          location="conv_external.weights", size_threshold=0)
    # Refused models: written with onnx too, but no reference summary is needed.
    onnx.save_model(model(conv_graph(), 2, 7), os.path.join(FIXTURES, "ir2.onnx"))
    onnx.save_model(model(conv_graph(), 8, 6), os.path.join(FIXTURES, "opset6.onnx"))
    onnx.save_model(external_escape("../conv_external.weights"), os.path.join(FIXTURES, "external", "escape_dotdot.onnx"))
    onnx.save_model(external_escape("/etc/passwd"), os.path.join(FIXTURES, "external", "escape_absolute.onnx"))
    # The wheel's "light" zoo models (weights from ConstantOfShape): real exporter output, parse only.
    for name in ("light_squeezenet", "light_vgg19"):
        shutil.copy(os.path.join(WHEEL_LIGHT_MODELS, name + ".onnx"), FIXTURES)
        with open(os.path.join(FIXTURES, name + ".json"), "w") as f:
            json.dump(summary(os.path.join(FIXTURES, name + ".onnx")), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
