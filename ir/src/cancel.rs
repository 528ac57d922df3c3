//! Cancellation of long work (Ctrl-C in Python).
//!
//! Whoever starts a piece of work that may be cancelled runs it inside [`with_cancel`], which makes a
//! shared flag the *current* one of that thread. Code that runs long takes [`current`] once, hands the
//! [`Cancel`] value to its worker threads, and calls [`Cancel::check`] between bounded pieces of work
//! (a relaxed atomic load). When the flag is raised, `check` returns an [`ErrorKind::Interrupted`]
//! error and the work unwinds through the ordinary error path (temporaries drop, caches stay
//! consistent, nothing is half-written into a result).

use crate::{Error, ErrorKind, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A handle on the cancel flag of the current piece of work; cheap to clone, `None` when the work
/// cannot be cancelled.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    /// A handle that never reports cancellation.
    pub fn never() -> Cancel {
        Cancel(None)
    }

    /// Whether the work was cancelled.
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// An `Interrupted` error naming `what` when the work was cancelled.
    #[inline]
    pub fn check(&self, what: &str) -> Result<()> {
        if self.is_cancelled() {
            return Err(interrupted(what));
        }
        Ok(())
    }
}

/// The error cancelled work returns.
pub fn interrupted(what: &str) -> Error {
    Error::new(
        ErrorKind::Interrupted,
        format!("{what}: interrupted (the computation was cancelled, e.g. by Ctrl-C)"),
    )
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Runs `f` with `flag` as this thread's cancel flag (restoring the previous one afterwards, also when
/// `f` panics).
pub fn with_cancel<R>(flag: Arc<AtomicBool>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<AtomicBool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| c.borrow_mut().replace(flag));
    let _restore = Restore(prev);
    f()
}

/// The cancel flag of the work this thread runs (see [`with_cancel`]).
pub fn current() -> Cancel {
    Cancel(CURRENT.with(|c| c.borrow().clone()))
}

/// [`Cancel::check`] on this thread's current flag.
pub fn check(what: &str) -> Result<()> {
    current().check(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_scoped_to_the_call() {
        assert!(!current().is_cancelled());
        let flag = Arc::new(AtomicBool::new(false));
        let got = with_cancel(flag.clone(), || {
            let c = current();
            assert!(c.check("x").is_ok());
            flag.store(true, Ordering::Relaxed);
            c.check("sort")
        });
        let e = got.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Interrupted);
        assert!(e.message.starts_with("sort:"));
        // outside the call, nothing is cancelled
        assert!(check("x").is_ok());
        assert!(!Cancel::never().is_cancelled());
    }
}
