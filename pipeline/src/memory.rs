//! Process-wide memory settings.

/// Heap arenas glibc may create, when `MALLOC_ARENA_MAX` does not say.
/// glibc gives each thread that contends its own arena, up to eight per
/// core, and an arena's freed pages mostly stay mapped: with `--jobs 8`
/// and Tesseract allocating per page, peak RSS grew with the batch (617 MB
/// for 400 pages against 541 MB for 40 with two arenas; 741 MB against
/// 589 MB with glibc's default), at no measurable cost in time
/// (README, Benchmarks).
const ARENAS: i32 = 2;

/// Caps glibc's heap arenas at [`ARENAS`], unless `MALLOC_ARENA_MAX` is set.
/// Call before any thread starts.
pub fn limit_heap_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes allocator tuning; called at start-up
        // before other threads exist.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        }
    }
}
