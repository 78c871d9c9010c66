"""Exports the real PyTorch models TorchvisionExportOracleTest compares with ONNX Runtime.

Optional and manual: the build never runs this. With PyTorch 1.13 / torchvision 0.14 (Debian 12:
python3-torch, python3-torchvision) run

    python3 export_torchvision.py OUT_DIR

then run the oracle tests with -Dretina.torchvision.dir=OUT_DIR. Weights are random but realistic:
BatchNorm affine parameters are randomised and the running statistics are learned from random
batches, so activations and logits stay O(1) and the comparison means something (torchvision's
fresh mobilenet_v2 otherwise outputs values around 1e-9).

Each torchvision model is exported as PyTorch exports it by default (BatchNorm folded into Conv),
with BatchNormalization nodes kept (suffix _bn), and at further opsets (suffix _opsetN: opset 9 and
10 forms such as Clip with attributes, up to opset 17). A LeNet-style net exercises the
Shape/Gather/Unsqueeze/Concat/Reshape pattern of x.view(x.size(0), -1).
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(256, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.view(x.size(0), -1)
        x = F.relu(self.f1(x))
        x = F.relu(self.f2(x))
        return F.softmax(self.f3(x), dim=1)


def realistic(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0.0, 0.1)
            m.momentum = None  # cumulative average over the calibration batches
            m.reset_running_stats()
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
            m.bias.data.normal_(0.0, 0.1)
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, 3, 224, 224))
    return model.eval()


def export(model, example, path, opset, **kwargs):
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"],
                      output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **kwargs)


def main(out):
    torch.manual_seed(0)
    for name, ctor, opset, other_opsets in [("resnet18", torchvision.models.resnet18, 13, [9, 17]),
                                            ("mobilenet_v2", torchvision.models.mobilenet_v2, 14, [10]),
                                            ("squeezenet1_1", torchvision.models.squeezenet1_1, 13, [11])]:
        model = realistic(ctor(weights=None))
        example = torch.randn(1, 3, 224, 224)
        export(model, example, f"{out}/{name}.onnx", opset)
        export(model, example, f"{out}/{name}_bn.onnx", opset,
               training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
        for other in other_opsets:
            export(model, example, f"{out}/{name}_opset{other}.onnx", other)
    export(LeNet().eval(), torch.randn(1, 1, 28, 28), f"{out}/lenet.onnx", 13)


if __name__ == "__main__":
    main(sys.argv[1])
