package dev.retina.engine.kernel;

/**
 * Convolution weights prepared once by a {@link Kernels}: the original OIHW array
 * ({@code [outChannels, inPerGroup, kernelH, kernelW]}), the optional bias ({@code [outChannels]}),
 * and, for GEMM-based kernels, one packed {@code outPerGroup x (inPerGroup * kernelH * kernelW)}
 * matrix per group.
 */
public record ConvWeights(float[] weights, float[] bias, int outChannels, int inPerGroup,
                          int kernelH, int kernelW, int group, PackedMatrix[] packedPerGroup) {
}
