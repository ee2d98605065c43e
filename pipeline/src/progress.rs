//! The progress bar a run and a verify draw on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `total` units drawn on stderr when `show` (on a terminal),
/// hidden otherwise, in indicatif's `template`.
pub fn bar(total: u64, show: bool, template: &str) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    bar
}
