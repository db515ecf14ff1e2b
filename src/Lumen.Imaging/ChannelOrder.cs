namespace Lumen.Imaging;

/// <summary>The channel layout a model expects.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision, TensorFlow, Darknet).</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe, OpenCV).</summary>
    Bgr,

    /// <summary>One luma channel (MNIST-style models).</summary>
    Grey,
}
