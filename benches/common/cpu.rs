//! Processor time of the calling thread, shared by the scoring benchmark and its profiling
//! example: on a loaded machine it counts only the time the thread ran, not the time it waited.

/// Nanoseconds this thread has run on a processor.
pub fn thread_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(r, 0, "the thread's processor-time clock");
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}
