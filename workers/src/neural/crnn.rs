//! The khmer-ocr-ocm network (CRNN, checkpoint "V21"): five convolution
//! blocks with batch normalisation, the height averaged away, two
//! bidirectional LSTM layers of 256, and a linear layer to 984 classes
//! (blank first). Its weights are read from the wheel's PyTorch file as
//! they are; batch normalisation is folded into the convolutions at load.
//!
//! The layer names and order are those of `khmer_ocr_ocm/model.py`:
//! `cnn.{0,5,10,13,18,21,26}` are the convolutions, each followed by its
//! batch norm at the next index.

use candle_core::{Device, Tensor};
use std::collections::HashMap;

/// Input height and width the network was trained at.
pub const HEIGHT: usize = 48;
pub const WIDTH: usize = 512;

/// PyTorch's `BatchNorm2d` default epsilon.
const BN_EPS: f64 = 1e-5;

/// (convolution, its batch norm, padding, max pooling after it).
const CONVS: [(usize, usize, usize, Pool); 7] = [
    (0, 1, 1, Pool::Both),
    (5, 6, 1, Pool::Both),
    (10, 11, 1, Pool::None),
    (13, 14, 1, Pool::Height),
    (18, 19, 1, Pool::None),
    (21, 22, 1, Pool::Height),
    (26, 27, 0, Pool::None),
];

#[derive(Clone, Copy)]
enum Pool {
    None,
    /// 2x2, stride 2.
    Both,
    /// 2x1, stride (2, 1): the width, which becomes time, is kept.
    Height,
}

struct Conv {
    /// (out, in * kh * kw), batch norm folded in.
    weight: Tensor,
    /// (out, 1).
    bias: Tensor,
    kernel: usize,
    pad: usize,
    pool: Pool,
}

/// One direction of one LSTM layer. PyTorch's gate order: input, forget,
/// cell, output.
struct Direction {
    /// (input, 4 * hidden), transposed for `x @ w`.
    w_ih: Tensor,
    /// (hidden, 4 * hidden).
    w_hh: Tensor,
    /// bias_ih + bias_hh, (4 * hidden).
    bias: Tensor,
}

pub struct Crnn {
    convs: Vec<Conv>,
    lstm: Vec<(Direction, Direction)>,
    /// (512, classes).
    fc_w: Tensor,
    fc_b: Tensor,
}

pub type Weights = HashMap<String, Tensor>;

fn get(w: &Weights, name: &str) -> candle_core::Result<Tensor> {
    w.get(name)
        .cloned()
        .ok_or_else(|| candle_core::Error::Msg(format!("no tensor {name}")))
}

impl Crnn {
    pub fn from_weights(w: &Weights) -> candle_core::Result<Crnn> {
        let mut convs = Vec::new();
        for (c, bn, pad, pool) in CONVS {
            let weight = get(w, &format!("cnn.{c}.weight"))?;
            let bias = get(w, &format!("cnn.{c}.bias"))?;
            let gamma = get(w, &format!("cnn.{bn}.weight"))?;
            let beta = get(w, &format!("cnn.{bn}.bias"))?;
            let mean = get(w, &format!("cnn.{bn}.running_mean"))?;
            let var = get(w, &format!("cnn.{bn}.running_var"))?;
            // y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta
            let scale = (gamma / (var + BN_EPS)?.sqrt()?)?;
            let (out, _, kernel, _) = weight.dims4()?;
            let weight = weight
                .broadcast_mul(&scale.reshape((out, 1, 1, 1))?)?
                .reshape((out, ()))?
                .contiguous()?;
            let bias = ((bias - mean)? * &scale)?.add(&beta)?.reshape((out, 1))?;
            convs.push(Conv {
                weight,
                bias,
                kernel,
                pad,
                pool,
            });
        }
        let mut lstm = Vec::new();
        for layer in 0..2 {
            let dir = |suffix: &str| -> candle_core::Result<Direction> {
                let n = |k: &str| format!("rnn.{k}_l{layer}{suffix}");
                Ok(Direction {
                    w_ih: get(w, &n("weight_ih"))?.t()?.contiguous()?,
                    w_hh: get(w, &n("weight_hh"))?.t()?.contiguous()?,
                    bias: (get(w, &n("bias_ih"))? + get(w, &n("bias_hh"))?)?,
                })
            };
            lstm.push((dir("")?, dir("_reverse")?));
        }
        Ok(Crnn {
            convs,
            lstm,
            fc_w: get(w, "fc.weight")?.t()?.contiguous()?,
            fc_b: get(w, "fc.bias")?,
        })
    }

    /// The number of classes, blank (0) included.
    pub fn classes(&self) -> usize {
        self.fc_b.dims1().unwrap_or(0)
    }

    /// Logits (time, classes) of one line, `input` being HEIGHT x WIDTH
    /// values in [-1, 1], row by row.
    pub fn forward(&self, input: Vec<f32>) -> candle_core::Result<Tensor> {
        let width = input.len() / HEIGHT;
        let mut x = Tensor::from_vec(input, (1, HEIGHT, width), &Device::Cpu)?;
        for c in &self.convs {
            x = conv(&x, c)?;
            x = match c.pool {
                Pool::None => x,
                Pool::Both => x.unsqueeze(0)?.max_pool2d(2)?.squeeze(0)?,
                Pool::Height => x
                    .unsqueeze(0)?
                    .max_pool2d_with_stride((2, 1), (2, 1))?
                    .squeeze(0)?,
            };
        }
        // (C, H, W): the height is averaged, width becomes time.
        let mut seq = x.mean(1)?.t()?.contiguous()?;
        for (fwd, bwd) in &self.lstm {
            let a = fwd.run(&seq, false)?;
            let b = bwd.run(&seq, true)?;
            seq = Tensor::cat(&[a, b], 1)?;
        }
        seq.matmul(&self.fc_w)?.broadcast_add(&self.fc_b)
    }
}

/// A stride-1 convolution of (C, H, W) as one matrix product over an
/// im2col copy, then ReLU. (candle's own conv2d took twice as long.)
fn conv(x: &Tensor, c: &Conv) -> candle_core::Result<Tensor> {
    let (ci, h, w) = x.dims3()?;
    let (k, p) = (c.kernel, c.pad);
    let (hp, wp) = (h + 2 * p, w + 2 * p);
    let (ho, wo) = (hp + 1 - k, wp + 1 - k);
    let src = x.flatten_all()?.to_vec1::<f32>()?;
    // The input with its zero border, so that every row of the copy below
    // is one slice.
    let padded = if p == 0 {
        src
    } else {
        let mut padded = vec![0f32; ci * hp * wp];
        for (row, from) in src.chunks_exact(w).enumerate() {
            let (ch, y) = (row / h, row % h);
            let at = (ch * hp + y + p) * wp + p;
            padded[at..at + w].copy_from_slice(from);
        }
        padded
    };
    let mut col = Vec::with_capacity(ci * k * k * ho * wo);
    for ch in 0..ci {
        for dy in 0..k {
            for dx in 0..k {
                for oy in 0..ho {
                    let at = (ch * hp + oy + dy) * wp + dx;
                    col.extend_from_slice(&padded[at..at + wo]);
                }
            }
        }
    }
    let col = Tensor::from_vec(col, (ci * k * k, ho * wo), x.device())?;
    let out = c.weight.dims2()?.0;
    c.weight
        .matmul(&col)?
        .broadcast_add(&c.bias)?
        .relu()?
        .reshape((out, ho, wo))
}

impl Direction {
    /// (time, input) to (time, hidden), read forwards or backwards. The
    /// input's share of every step is one matrix product; the recurrence,
    /// a vector by matrix product a step, is plain loops (as tensor
    /// operations, a step was some twenty small allocations).
    fn run(&self, x: &Tensor, backwards: bool) -> candle_core::Result<Tensor> {
        let t = x.dim(0)?;
        let hidden = self.w_hh.dim(0)?;
        let xs = x
            .matmul(&self.w_ih)?
            .broadcast_add(&self.bias)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let w_hh = self.w_hh.flatten_all()?.to_vec1::<f32>()?;
        let mut h = vec![0f32; hidden];
        let mut c = vec![0f32; hidden];
        let mut out = vec![0f32; t * hidden];
        let mut gates = vec![0f32; 4 * hidden];
        for s in 0..t {
            let i = if backwards { t - 1 - s } else { s };
            gates.copy_from_slice(&xs[i * 4 * hidden..(i + 1) * 4 * hidden]);
            for (hk, row) in h.iter().zip(w_hh.chunks_exact(4 * hidden)) {
                for (g, w) in gates.iter_mut().zip(row) {
                    *g += hk * w;
                }
            }
            for j in 0..hidden {
                let input = sigmoid(gates[j]);
                let forget = sigmoid(gates[hidden + j]);
                let cell = gates[2 * hidden + j].tanh();
                let output = sigmoid(gates[3 * hidden + j]);
                c[j] = forget * c[j] + input * cell;
                h[j] = output * c[j].tanh();
            }
            out[i * hidden..(i + 1) * hidden].copy_from_slice(&h);
        }
        Tensor::from_vec(out, (t, hidden), x.device())
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
