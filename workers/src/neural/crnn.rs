//! The khmer-ocr-ocm network (CRNN, checkpoint "V21"): five convolution
//! blocks with batch normalisation, the height averaged away, two
//! bidirectional LSTM layers of 256, and a linear layer to 984 classes
//! (blank first). Its weights are read from the wheel's PyTorch file as
//! they are; batch normalisation is folded into the convolutions at load.
//!
//! The layer names and order are those of `khmer_ocr_ocm/model.py`:
//! `cnn.{0,5,10,13,18,21,26}` are the convolutions, each followed by its
//! batch norm at the next index.
//!
//! The 3x3 convolutions after the first, nine tenths of the network's
//! multiplications, are computed by Winograd's F(2x2, 3x3) ([`winograd`]):
//! 16 multiplications for every 36; the convolutions of a line take about
//! two thirds of the time, the whole line five sixths.

use candle_core::Tensor;
use std::collections::HashMap;

/// Input height and width the network was trained at.
pub const HEIGHT: usize = 48;
pub const WIDTH: usize = 512;

/// PyTorch's `BatchNorm2d` default epsilon.
const BN_EPS: f32 = 1e-5;

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

/// Values laid out (channels, height, width), row by row.
struct Planes {
    data: Vec<f32>,
    channels: usize,
    height: usize,
    width: usize,
}

struct Conv {
    kernels: Kernels,
    bias: Vec<f32>,
    inputs: usize,
    kernel: usize,
    pad: usize,
    pool: Pool,
}

/// A convolution's kernels, batch norm folded in, laid out for the way it
/// is computed. Only one layout is kept: the Winograd kernels of the five
/// 3x3 layers hold 32 MB, and the direct ones would add 18.
enum Kernels {
    /// (out, in * kernel * kernel), row by row: [`conv`].
    Direct(Vec<f32>),
    /// A 3x3 convolution padded by 1 over more than one input plane, as
    /// Winograd F(2x2, 3x3) reads it ([`winograd_kernels`]): [`winograd`].
    Winograd(Vec<f32>),
}

/// One direction of one LSTM layer. PyTorch's gate order: input, forget,
/// cell, output.
struct Direction {
    /// (input, 4 * hidden), for `x . w`.
    w_ih: Vec<f32>,
    /// (hidden, 4 * hidden).
    w_hh: Vec<f32>,
    /// bias_ih + bias_hh.
    bias: Vec<f32>,
    hidden: usize,
}

pub struct Crnn {
    convs: Vec<Conv>,
    lstm: Vec<(Direction, Direction)>,
    /// (512, classes).
    fc_w: Vec<f32>,
    fc_b: Vec<f32>,
}

pub type Weights = HashMap<String, Tensor>;

/// A tensor of the checkpoint as plain values, with its shape.
fn get(w: &Weights, name: &str) -> candle_core::Result<(Vec<f32>, Vec<usize>)> {
    let t = w
        .get(name)
        .ok_or_else(|| candle_core::Error::Msg(format!("no tensor {name}")))?;
    Ok((
        t.to_dtype(candle_core::DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?,
        t.dims().to_vec(),
    ))
}

/// A (rows, cols) matrix transposed.
fn transposed(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0f32; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = m[r * cols + c];
        }
    }
    out
}

impl Crnn {
    pub fn from_weights(w: &Weights) -> candle_core::Result<Crnn> {
        let mut convs = Vec::new();
        for (c, bn, pad, pool) in CONVS {
            let (mut weight, dims) = get(w, &format!("cnn.{c}.weight"))?;
            let (bias, _) = get(w, &format!("cnn.{c}.bias"))?;
            let (gamma, _) = get(w, &format!("cnn.{bn}.weight"))?;
            let (beta, _) = get(w, &format!("cnn.{bn}.bias"))?;
            let (mean, _) = get(w, &format!("cnn.{bn}.running_mean"))?;
            let (var, _) = get(w, &format!("cnn.{bn}.running_var"))?;
            let [out, inputs, kernel, _] = dims[..] else {
                return Err(candle_core::Error::Msg(format!("cnn.{c}: shape {dims:?}")));
            };
            // y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta
            let per_out = inputs * kernel * kernel;
            let mut folded = Vec::with_capacity(out);
            for o in 0..out {
                let scale = gamma[o] / (var[o] + BN_EPS).sqrt();
                weight[o * per_out..(o + 1) * per_out]
                    .iter_mut()
                    .for_each(|v| *v *= scale);
                folded.push((bias[o] - mean[o]) * scale + beta[o]);
            }
            let kernels = if kernel == 3 && pad == 1 && inputs > 1 {
                Kernels::Winograd(winograd_kernels(&weight, out, inputs))
            } else {
                Kernels::Direct(weight)
            };
            convs.push(Conv {
                kernels,
                bias: folded,
                inputs,
                kernel,
                pad,
                pool,
            });
        }
        let mut lstm = Vec::new();
        for layer in 0..2 {
            let dir = |suffix: &str| -> candle_core::Result<Direction> {
                let n = |k: &str| format!("rnn.{k}_l{layer}{suffix}");
                let (w_ih, ih) = get(w, &n("weight_ih"))?;
                let (w_hh, hh) = get(w, &n("weight_hh"))?;
                let (b_ih, _) = get(w, &n("bias_ih"))?;
                let (b_hh, _) = get(w, &n("bias_hh"))?;
                Ok(Direction {
                    w_ih: transposed(&w_ih, ih[0], ih[1]),
                    w_hh: transposed(&w_hh, hh[0], hh[1]),
                    bias: b_ih.iter().zip(&b_hh).map(|(a, b)| a + b).collect(),
                    hidden: hh[1],
                })
            };
            lstm.push((dir("")?, dir("_reverse")?));
        }
        let (fc_w, fc) = get(w, "fc.weight")?;
        let (fc_b, _) = get(w, "fc.bias")?;
        Ok(Crnn {
            convs,
            lstm,
            fc_w: transposed(&fc_w, fc[0], fc[1]),
            fc_b,
        })
    }

    /// The number of classes, blank (0) included.
    pub fn classes(&self) -> usize {
        self.fc_b.len()
    }

    /// Logits of one line, time step by time step (`classes()` values
    /// each), `input` being HEIGHT rows of values in [-1, 1].
    pub fn forward(&self, input: Vec<f32>) -> Vec<f32> {
        let width = input.len() / HEIGHT;
        let mut x = Planes {
            data: input,
            channels: 1,
            height: HEIGHT,
            width,
        };
        for c in &self.convs {
            let y = match &c.kernels {
                Kernels::Direct(weight) => conv(&x, c, weight),
                Kernels::Winograd(u) => winograd(&x, c, u),
            };
            x = pool(y, c.pool);
        }
        // The height is averaged; width becomes time: (time, channels).
        let (t, ch) = (x.width, x.channels);
        let mut seq = vec![0f32; t * ch];
        for c in 0..ch {
            for y in 0..x.height {
                let row = &x.data[(c * x.height + y) * t..][..t];
                for (step, v) in row.iter().enumerate() {
                    seq[step * ch + c] += v;
                }
            }
        }
        seq.iter_mut().for_each(|v| *v /= x.height as f32);
        let mut width = ch;
        for (fwd, bwd) in &self.lstm {
            let a = fwd.run(&seq, t, width, false);
            let b = bwd.run(&seq, t, width, true);
            let hidden = fwd.hidden + bwd.hidden;
            seq = Vec::with_capacity(t * hidden);
            for step in 0..t {
                seq.extend_from_slice(&a[step * fwd.hidden..(step + 1) * fwd.hidden]);
                seq.extend_from_slice(&b[step * bwd.hidden..(step + 1) * bwd.hidden]);
            }
            width = hidden;
        }
        let classes = self.classes();
        let mut logits = matmul(&seq, &self.fc_w, t, width, classes);
        for row in logits.chunks_exact_mut(classes) {
            row.iter_mut().zip(&self.fc_b).for_each(|(v, b)| *v += b);
        }
        logits
    }
}

/// `a` (m, k) times `b` (k, n), both row by row, on this thread: pages are
/// already read in parallel.
fn matmul(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
    assert!(a.len() == m * k && b.len() == k * n);
    let mut out = vec![0f32; m * n];
    // SAFETY: the three pointers cover m*k, k*n and m*n values laid out
    // row by row (column stride 1, row strides k, n and n), as checked
    // above and allocated here; `out` is not read (read_dst false).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
    out
}

/// A stride-1 convolution as one matrix product over an im2col copy of a
/// zero-bordered input, then bias and ReLU.
fn conv(x: &Planes, c: &Conv, weight: &[f32]) -> Planes {
    let (k, p) = (c.kernel, c.pad);
    let (h, w) = (x.height, x.width);
    let (hp, wp) = (h + 2 * p, w + 2 * p);
    let (ho, wo) = (hp + 1 - k, wp + 1 - k);
    let padded;
    let src = if p == 0 {
        &x.data
    } else {
        padded = bordered(x, p, hp, wp);
        &padded
    };
    let mut col = Vec::with_capacity(c.inputs * k * k * ho * wo);
    for ch in 0..c.inputs {
        for dy in 0..k {
            for dx in 0..k {
                for oy in 0..ho {
                    let at = (ch * hp + oy + dy) * wp + dx;
                    col.extend_from_slice(&src[at..at + wo]);
                }
            }
        }
    }
    let out = c.bias.len();
    let mut data = matmul(weight, &col, out, c.inputs * k * k, ho * wo);
    for (plane, b) in data.chunks_exact_mut(ho * wo).zip(&c.bias) {
        plane.iter_mut().for_each(|v| *v = (*v + b).max(0.0));
    }
    Planes {
        data,
        channels: out,
        height: ho,
        width: wo,
    }
}

/// `x`'s planes each copied into an `hp` x `wp` plane of zeros, `before`
/// rows and columns in from its top left corner: the zero border that a
/// padded convolution reads past the input's edges.
fn bordered(x: &Planes, before: usize, hp: usize, wp: usize) -> Vec<f32> {
    let (h, w) = (x.height, x.width);
    debug_assert!(hp >= h + before && wp >= w + before);
    let mut buf = vec![0f32; x.channels * hp * wp];
    for (row, from) in x.data.chunks_exact(w).enumerate() {
        let (ch, y) = (row / h, row % h);
        let at = (ch * hp + y + before) * wp + before;
        buf[at..at + w].copy_from_slice(from);
    }
    buf
}

/// The kernels of a 3x3 convolution, `weight` (out, in, 3, 3), turned into
/// Winograd's domain: `G g Gᵀ` for each (out, in) kernel `g`, laid out as 16
/// matrices (out, in), point `4r + c` of the 4x4 result in matrix `4r + c`.
fn winograd_kernels(weight: &[f32], out: usize, inputs: usize) -> Vec<f32> {
    const G: [[f32; 3]; 4] = [
        [1.0, 0.0, 0.0],
        [0.5, 0.5, 0.5],
        [0.5, -0.5, 0.5],
        [0.0, 0.0, 1.0],
    ];
    let mut u = vec![0f32; 16 * out * inputs];
    for (n, g) in weight.chunks_exact(9).enumerate() {
        // G g (4x3), then (G g) Gᵀ (4x4).
        let mut gg = [[0f32; 3]; 4];
        for (r, row) in G.iter().enumerate() {
            for c in 0..3 {
                gg[r][c] = (0..3).map(|k| row[k] * g[k * 3 + c]).sum();
            }
        }
        for r in 0..4 {
            for (c, col) in G.iter().enumerate() {
                let v: f32 = (0..3).map(|k| gg[r][k] * col[k]).sum();
                u[(r * 4 + c) * out * inputs + n] = v;
            }
        }
    }
    u
}

/// The sizes of a Winograd F(2x2, 3x3) convolution of `x` by `c`: the
/// input's (h, w) and channels, the outputs, the tiles down and across
/// (each 2x2 of the output) and their count, and the input padded with a
/// zero border, 1 before and after up to the last tile's end (hp, wp).
struct Tiling {
    h: usize,
    w: usize,
    inputs: usize,
    out: usize,
    th: usize,
    tw: usize,
    tiles: usize,
    hp: usize,
    wp: usize,
}

impl Tiling {
    fn of(x: &Planes, c: &Conv) -> Tiling {
        let (h, w) = (x.height, x.width);
        let (th, tw) = (h.div_ceil(2), w.div_ceil(2));
        Tiling {
            h,
            w,
            inputs: c.inputs,
            out: c.bias.len(),
            th,
            tw,
            tiles: th * tw,
            hp: 2 * th + 2,
            wp: 2 * tw + 2,
        }
    }
}

/// The 16 matrix products of a Winograd convolution: for each point p of
/// the 4x4 transformed tile, kernels `u` (out, in) times inputs `v` (in,
/// tiles).
fn products(u: &[f32], v: &[f32], out: usize, inputs: usize, tiles: usize) -> Vec<Vec<f32>> {
    let plane = inputs * tiles;
    (0..16)
        .map(|p| {
            matmul(
                &u[p * out * inputs..(p + 1) * out * inputs],
                &v[p * plane..(p + 1) * plane],
                out,
                inputs,
                tiles,
            )
        })
        .collect()
}

/// A 3x3 convolution padded by 1, then bias and ReLU, by Winograd's
/// F(2x2, 3x3): each 2x2 block of the output from a 4x4 tile of the input,
/// with 16 multiplications a (tile, in, out) where the direct way takes 36.
/// The products are 16 matrix products (out, in) x (in, tiles); the
/// transforms on either side only add. The same values as [`conv`] to
/// within rounding (unit test). `u` is [`winograd_kernels`]' layout.
fn winograd(x: &Planes, c: &Conv, u: &[f32]) -> Planes {
    let Tiling {
        h,
        w,
        inputs,
        out,
        th,
        tw,
        tiles,
        hp,
        wp,
    } = Tiling::of(x, c);
    let padded = bordered(x, 1, hp, wp);
    // Bᵀ d B for every 4x4 tile d, into 16 matrices (in, tiles). A row of
    // tiles at a time: Bᵀ down its four input rows, whole rows at once, then
    // B along them, so that every write runs along a matrix's row.
    let mut v = vec![0f32; 16 * inputs * tiles];
    let plane = inputs * tiles;
    let mut rows = vec![0f32; 4 * wp];
    // A row's values at even and at odd columns, tw + 1 of each.
    let (mut even, mut odd) = (vec![0f32; tw + 1], vec![0f32; tw + 1]);
    for ch in 0..inputs {
        for ty in 0..th {
            let at = (ch * hp + 2 * ty) * wp;
            // Bᵀ down the tiles' four input rows, whole rows at once.
            let mut down = rows.chunks_exact_mut(wp);
            b_t_rows(
                [(); 4].map(|_| down.next().expect("4 rows")),
                [0, 1, 2, 3].map(|k| &padded[at + k * wp..at + (k + 1) * wp]),
            );
            let n = ch * tiles + ty * tw;
            for (r, row) in rows.chunks_exact(wp).enumerate() {
                // B along the row: tile tx reads columns 2tx..2tx+4, that is
                // even[tx], odd[tx], even[tx + 1], odd[tx + 1].
                for ((e, o), pair) in even.iter_mut().zip(odd.iter_mut()).zip(row.chunks_exact(2)) {
                    (*e, *o) = (pair[0], pair[1]);
                }
                // Into matrices 4r..4r + 4, at this row of tiles.
                let mut matrices = v
                    .chunks_exact_mut(plane)
                    .skip(4 * r)
                    .map(|m| &mut m[n..n + tw]);
                b_t_rows(
                    [(); 4].map(|_| matrices.next().expect("16 matrices")),
                    [&even[..tw], &odd[..tw], &even[1..], &odd[1..]],
                );
            }
        }
    }
    drop(padded);
    let m = products(u, &v, out, inputs, tiles);
    drop(v);
    // Aᵀ M A for every tile, a row of tiles at a time, down then along;
    // then bias and ReLU. Where the output's size is odd, the last tile's
    // second row or column falls outside it and is dropped.
    let mut data = vec![0f32; out * h * w];
    let mut am = vec![0f32; 8 * tw];
    // A row's values at even and at odd columns, before the bias.
    let (mut even, mut odd) = (vec![0f32; tw], vec![0f32; tw]);
    for (o, b) in c.bias.iter().enumerate() {
        for ty in 0..th {
            let n = o * tiles + ty * tw;
            // Aᵀ down each column k of the tiles: the top row of the 2x4
            // result into am's row k, the bottom into 4 + k.
            let (top, bottom) = am.split_at_mut(4 * tw);
            for (k, (top, bottom)) in top
                .chunks_exact_mut(tw)
                .zip(bottom.chunks_exact_mut(tw))
                .enumerate()
            {
                a_t_rows(
                    [top, bottom],
                    [0, 1, 2, 3].map(|r| &m[r * 4 + k][n..n + tw]),
                );
            }
            for r in 0..2.min(h - 2 * ty) {
                let y = 2 * ty + r;
                a_t_rows(
                    [&mut even, &mut odd],
                    [0, 1, 2, 3].map(|k| &am[(r * 4 + k) * tw..(r * 4 + k + 1) * tw]),
                );
                let row = &mut data[(o * h + y) * w..(o * h + y + 1) * w];
                for (pair, (e, d)) in row.chunks_mut(2).zip(even.iter().zip(&odd)) {
                    for (value, t) in pair.iter_mut().zip([e, d]) {
                        *value = (t + b).max(0.0);
                    }
                }
            }
        }
    }
    Planes {
        data,
        channels: out,
        height: h,
        width: w,
    }
}

/// Winograd's `Bᵀ d` on whole rows: `out` = [d0 - d2, d1 + d2, d2 - d1,
/// d1 - d3], value by value (over the shortest of the slices). Plain loops
/// over slices, which vectorise, where a 4x4 tile at a time did not: the
/// transforms were most of the 17% of the network's time its own code
/// took on the realdev notice. The same sums as a tile at a time, so the
/// same bits (unit test).
#[inline(always)]
fn b_t_rows(out: [&mut [f32]; 4], [d0, d1, d2, d3]: [&[f32]; 4]) {
    let [o0, o1, o2, o3] = out;
    for ((o, a), b) in o0.iter_mut().zip(d0).zip(d2) {
        *o = a - b;
    }
    for ((o, a), b) in o1.iter_mut().zip(d1).zip(d2) {
        *o = a + b;
    }
    for ((o, a), b) in o2.iter_mut().zip(d2).zip(d1) {
        *o = a - b;
    }
    for ((o, a), b) in o3.iter_mut().zip(d1).zip(d3) {
        *o = a - b;
    }
}

/// Winograd's `Aᵀ m` on whole rows: `out` = [m0 + m1 + m2, m1 - m2 - m3],
/// value by value, as [`b_t_rows`].
#[inline(always)]
fn a_t_rows([top, bottom]: [&mut [f32]; 2], [m0, m1, m2, m3]: [&[f32]; 4]) {
    for (((t, a), b), c) in top.iter_mut().zip(m0).zip(m1).zip(m2) {
        *t = a + b + c;
    }
    for (((t, a), b), c) in bottom.iter_mut().zip(m1).zip(m2).zip(m3) {
        *t = a - b - c;
    }
}

/// Max pooling, floor of the sizes as PyTorch's `MaxPool2d`. Two rows of
/// the input at a time into one of the output, each window's values taken
/// in the same order as one by one (top row, then bottom; left, then
/// right), so the same bits, with no index worked out per value.
fn pool(x: Planes, kind: Pool) -> Planes {
    let sx = match kind {
        Pool::None => return x,
        Pool::Both => 2,
        Pool::Height => 1,
    };
    let (h, w) = (x.height / 2, x.width / sx);
    let mut data = vec![0f32; x.channels * h * w];
    if h * w == 0 {
        return Planes {
            data,
            channels: x.channels,
            height: h,
            width: w,
        };
    }
    for (c, plane) in data.chunks_exact_mut(h * w).enumerate() {
        for (y, row) in plane.chunks_exact_mut(w).enumerate() {
            let at = (c * x.height + 2 * y) * x.width;
            let (top, bottom) = x.data[at..at + 2 * x.width].split_at(x.width);
            if sx == 2 {
                let pairs = top.chunks_exact(2).zip(bottom.chunks_exact(2));
                for (v, (t, b)) in row.iter_mut().zip(pairs) {
                    *v = f32::NEG_INFINITY.max(t[0]).max(t[1]).max(b[0]).max(b[1]);
                }
            } else {
                for (v, (t, b)) in row.iter_mut().zip(top.iter().zip(bottom)) {
                    *v = f32::NEG_INFINITY.max(*t).max(*b);
                }
            }
        }
    }
    Planes {
        data,
        channels: x.channels,
        height: h,
        width: w,
    }
}

impl Direction {
    /// (time, input) to (time, hidden), read forwards or backwards. The
    /// input's share of every step is one matrix product; the recurrence
    /// is a vector by matrix product a step.
    fn run(&self, x: &[f32], t: usize, input: usize, backwards: bool) -> Vec<f32> {
        let hidden = self.hidden;
        let mut xs = matmul(x, &self.w_ih, t, input, 4 * hidden);
        for row in xs.chunks_exact_mut(4 * hidden) {
            row.iter_mut().zip(&self.bias).for_each(|(v, b)| *v += b);
        }
        let mut h = vec![0f32; hidden];
        let mut c = vec![0f32; hidden];
        let mut out = vec![0f32; t * hidden];
        let mut gates = vec![0f32; 4 * hidden];
        for s in 0..t {
            let i = if backwards { t - 1 - s } else { s };
            gates.copy_from_slice(&xs[i * 4 * hidden..(i + 1) * 4 * hidden]);
            add_products(&mut gates, &h, &self.w_hh);
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
        out
    }
}

/// `gates += h · w`, `w` being `h.len()` rows of `gates.len()` values: the
/// recurrence's share of a step, a seventh of the network's time. Run with
/// the widest vector instructions this processor has; each gate still
/// takes its products in the same order, one rounding each (no fused
/// multiply-add), so the result is the same to the bit on any machine.
fn add_products(gates: &mut [f32], h: &[f32], w: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, checked just above.
            return unsafe { add_products_avx512(gates, h, w) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            return unsafe { add_products_avx2(gates, h, w) };
        }
    }
    add_products_plain(gates, h, w)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn add_products_avx512(gates: &mut [f32], h: &[f32], w: &[f32]) {
    add_products_plain(gates, h, w)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_products_avx2(gates: &mut [f32], h: &[f32], w: &[f32]) {
    add_products_plain(gates, h, w)
}

#[inline(always)]
fn add_products_plain(gates: &mut [f32], h: &[f32], w: &[f32]) {
    for (hk, row) in h.iter().zip(w.chunks_exact(gates.len())) {
        for (g, w) in gates.iter_mut().zip(row) {
            *g += hk * w;
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x3 convolution padded by 1 of `inputs` planes `h` x `w` into
    /// `out`: its weights (out, in, 3, 3), the layer, and an input; values
    /// of both signs so that ReLU cuts some.
    fn conv_case(inputs: usize, out: usize, h: usize, w: usize) -> (Vec<f32>, Conv, Planes) {
        let value = |i: usize| ((i * 7919 % 1013) as f32 - 506.0) / 509.0;
        let weight: Vec<f32> = (0..out * inputs * 9).map(|i| value(i + 11)).collect();
        let c = Conv {
            kernels: Kernels::Direct(Vec::new()),
            bias: (0..out).map(|o| value(o + 3) / 4.0).collect(),
            inputs,
            kernel: 3,
            pad: 1,
            pool: Pool::None,
        };
        let x = Planes {
            data: (0..inputs * h * w).map(|i| value(i * 3 + 1)).collect(),
            channels: inputs,
            height: h,
            width: w,
        };
        (weight, c, x)
    }

    #[test]
    fn winograd_convolution_gives_the_direct_convolutions_values() {
        // Odd and even sizes (a tile hanging over the edge), values of
        // both signs so that ReLU cuts some.
        for (inputs, out, h, w) in [(3, 5, 6, 9), (8, 4, 7, 10), (16, 32, 12, 33)] {
            let (weight, c, x) = conv_case(inputs, out, h, w);
            let direct = conv(&x, &c, &weight);
            let fast = winograd(&x, &c, &winograd_kernels(&weight, out, inputs));
            assert_eq!((fast.channels, fast.height, fast.width), (out, h, w));
            let worst = direct
                .data
                .iter()
                .zip(&fast.data)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-4, "{inputs}x{out} {h}x{w}: off by {worst}");
            assert!(direct.data.contains(&0.0) && direct.data.iter().any(|&v| v > 0.5));
        }
    }

    #[test]
    fn the_recurrence_gives_the_same_bits_with_any_vector_width() {
        // Values of mixed sign and size, where a reordered or fused sum
        // would round differently.
        let hidden = 37;
        let value = |i: usize| ((i * 7919 % 1013) as f32 - 506.0) / 97.0;
        let h: Vec<f32> = (0..hidden).map(|i| value(i * 3 + 1) / 10.0).collect();
        let w: Vec<f32> = (0..hidden * 4 * hidden).map(value).collect();
        let start: Vec<f32> = (0..4 * hidden).map(|i| value(i + 5)).collect();
        let mut fast = start.clone();
        add_products(&mut fast, &h, &w);
        let mut plain = start.clone();
        for (k, hk) in h.iter().enumerate() {
            for (j, g) in plain.iter_mut().enumerate() {
                *g += hk * w[k * 4 * hidden + j];
            }
        }
        assert_eq!(
            fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            plain.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    /// The pooling one value at a time, as it was written first.
    fn pool_one_by_one(x: &Planes, sy: usize, sx: usize) -> Vec<f32> {
        let (h, w) = (x.height / sy, x.width / sx);
        let mut data = Vec::new();
        for c in 0..x.channels {
            for y in 0..h {
                for xx in 0..w {
                    let mut m = f32::NEG_INFINITY;
                    for dy in 0..sy {
                        for dx in 0..sx {
                            m = m
                                .max(x.data[(c * x.height + y * sy + dy) * x.width + xx * sx + dx]);
                        }
                    }
                    data.push(m);
                }
            }
        }
        data
    }

    /// Pooled two rows at a time, the same bits as one value at a time,
    /// odd sizes (a row and a column left over) and zeros of both signs
    /// included.
    #[test]
    fn pooling_gives_the_one_by_one_bits() {
        let value = |i: usize| match i % 11 {
            0 => 0.0,
            1 => -0.0,
            _ => ((i * 7919 % 1013) as f32 - 506.0) / 97.0,
        };
        for (channels, height, width) in [(3, 7, 9), (2, 8, 10), (1, 1, 5), (4, 12, 33)] {
            let planes = || Planes {
                data: (0..channels * height * width).map(value).collect(),
                channels,
                height,
                width,
            };
            for (kind, sy, sx) in [(Pool::Both, 2, 2), (Pool::Height, 2, 1)] {
                let fast = pool(planes(), kind);
                let slow = pool_one_by_one(&planes(), sy, sx);
                assert_eq!((fast.height, fast.width), (height / sy, width / sx));
                assert_eq!(
                    fast.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    slow.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "{channels}x{height}x{width}, {sy}x{sx}"
                );
            }
        }
    }

    /// The Winograd convolution as first written, a tile at a time with
    /// [`b_t`] and [`a_t`]: the reference for the transforms done whole
    /// rows at a time.
    fn winograd_tile_by_tile(x: &Planes, c: &Conv, u: &[f32]) -> Planes {
        let t = Tiling::of(x, c);
        let (h, w, inputs, out) = (t.h, t.w, t.inputs, t.out);
        let (th, tw, tiles, hp, wp) = (t.th, t.tw, t.tiles, t.hp, t.wp);
        let padded = bordered(x, 1, hp, wp);
        // Bᵀ d B, a tile at a time.
        let mut v = vec![0f32; 16 * inputs * tiles];
        let plane = inputs * tiles;
        let mut rows = vec![0f32; 4 * wp];
        for ch in 0..inputs {
            for ty in 0..th {
                let at = (ch * hp + 2 * ty) * wp;
                let d = &padded[at..at + 4 * wp];
                for i in 0..wp {
                    let t = b_t([d[i], d[wp + i], d[2 * wp + i], d[3 * wp + i]]);
                    for (k, t) in t.into_iter().enumerate() {
                        rows[k * wp + i] = t;
                    }
                }
                let n = ch * tiles + ty * tw;
                for (r, row) in rows.chunks_exact(wp).enumerate() {
                    let [p0, p1, p2, p3] = [0, 1, 2, 3].map(|k| (r * 4 + k) * plane + n);
                    for tx in 0..tw {
                        let t = b_t([
                            row[2 * tx],
                            row[2 * tx + 1],
                            row[2 * tx + 2],
                            row[2 * tx + 3],
                        ]);
                        v[p0 + tx] = t[0];
                        v[p1 + tx] = t[1];
                        v[p2 + tx] = t[2];
                        v[p3 + tx] = t[3];
                    }
                }
            }
        }
        drop(padded);
        let m = products(u, &v, out, inputs, tiles);
        drop(v);
        // Aᵀ M A for every tile, a row of tiles at a time, down then along;
        // then bias and ReLU. Where the output's size is odd, the last tile's
        // second row or column falls outside it and is dropped.
        let mut data = vec![0f32; out * h * w];
        let mut am = vec![0f32; 8 * tw];
        for (o, b) in c.bias.iter().enumerate() {
            for ty in 0..th {
                let n = o * tiles + ty * tw;
                for k in 0..4 {
                    let [m0, m1, m2, m3] = [0, 1, 2, 3].map(|r| &m[r * 4 + k][n..n + tw]);
                    for i in 0..tw {
                        let [top, bottom] = a_t([m0[i], m1[i], m2[i], m3[i]]);
                        am[k * tw + i] = top;
                        am[(4 + k) * tw + i] = bottom;
                    }
                }
                for r in 0..2.min(h - 2 * ty) {
                    let y = 2 * ty + r;
                    let a = |k: usize| &am[(r * 4 + k) * tw..(r * 4 + k + 1) * tw];
                    let (a0, a1, a2, a3) = (a(0), a(1), a(2), a(3));
                    let row = &mut data[(o * h + y) * w..(o * h + y + 1) * w];
                    for (pair, i) in row.chunks_mut(2).zip(0..tw) {
                        let two = a_t([a0[i], a1[i], a2[i], a3[i]]);
                        for (value, t) in pair.iter_mut().zip(two) {
                            *value = (t + b).max(0.0);
                        }
                    }
                }
            }
        }
        Planes {
            data,
            channels: out,
            height: h,
            width: w,
        }
    }

    /// `Bᵀ d` for one column `d` of a 4x4 input tile (and, on rows, `d B`).
    #[inline(always)]
    fn b_t(d: [f32; 4]) -> [f32; 4] {
        [d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]]
    }

    /// `Aᵀ m` for one column `m` of a 4x4 product tile (and, on rows, `m A`).
    #[inline(always)]
    fn a_t(m: [f32; 4]) -> [f32; 2] {
        [m[0] + m[1] + m[2], m[1] - m[2] - m[3]]
    }

    /// The transforms done whole rows at a time give the same bits as a
    /// tile at a time, odd sizes included (the last tile hanging over).
    #[test]
    fn winograd_by_rows_gives_the_tile_by_tile_bits() {
        for (inputs, out, h, w) in [(3, 5, 6, 9), (8, 4, 7, 10), (16, 32, 12, 33), (2, 3, 1, 1)] {
            let (weight, c, x) = conv_case(inputs, out, h, w);
            let u = winograd_kernels(&weight, out, inputs);
            let bits = |p: Planes| p.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(winograd(&x, &c, &u)),
                bits(winograd_tile_by_tile(&x, &c, &u)),
                "{inputs}x{out} {h}x{w}"
            );
        }
    }
}
