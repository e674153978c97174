//! What a long job tells the outside while it runs: progress and warnings.
//!
//! The library never draws a progress bar or writes to stderr itself: a command line shows a bar
//! and prints warnings, a Python caller may log them, a test may collect them, a server may
//! drop them. So every stage that runs long or meets recoverable trouble takes an
//! `&dyn Observer` and reports through it (the shape ripgrep's printer and
//! text-embeddings-inference's router use: the core does not know who is listening).

/// Receives a job's progress and warnings. Every method has a do-nothing default, so an
/// observer implements only what it shows.
pub trait Observer: Send + Sync {
    /// A stage starts: `what` names its units ("sentences", "claims"), `total` how many there
    /// will be when known. A new `start` ends the previous stage.
    fn start(&self, _what: &str, _total: Option<u64>) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is over.
    fn finish(&self) {}
    /// Something was skipped or changed and the job goes on: one line, naming the place
    /// (file:line) and, where there is one, the fix.
    fn warn(&self, _message: &str) {}
    /// Asked between units of work (each chunk of texts a model encodes, each document
    /// segmented): `true` stops the job with [`crate::Error::Cancelled`]. A caller with no
    /// signal of its own (a Python call holds off Ctrl-C until it returns) stops a long job
    /// this way; the command line leaves it to the process's own signal handling.
    fn cancelled(&self) -> bool {
        false
    }
}

/// `Err(Cancelled)` when the observer asks the job to stop: the check at a stage's unit
/// boundaries.
pub(crate) fn go_on(observer: &dyn Observer) -> crate::error::Result<()> {
    if observer.cancelled() {
        Err(crate::error::Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Shows nothing: for tests, benches and callers that only want the result.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Passes progress and warnings on to a stage its caller started, so that work done in parts
/// (each part a call that starts and finishes a stage of its own) shows as one stage.
pub(crate) struct WithinStage<'a>(pub &'a dyn Observer);

impl Observer for WithinStage<'_> {
    fn advance(&self, n: u64) {
        self.0.advance(n);
    }
    fn warn(&self, message: &str) {
        self.0.warn(message);
    }
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Keeps the warnings in memory (tests, and callers that report them afterwards).
#[derive(Debug, Default)]
pub struct Collect {
    warnings: std::sync::Mutex<Vec<String>>,
}

impl Collect {
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|w| w.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

impl Observer for Collect {
    fn warn(&self, message: &str) {
        match self.warnings.lock() {
            Ok(mut w) => w.push(message.to_string()),
            Err(poisoned) => poisoned.into_inner().push(message.to_string()),
        }
    }
}
