/** A live view of a run's progress: the line log or the terminal's redrawn bar. */
export interface ProgressView {
  /** Draws the final state and lets go of the stream; the view prints nothing afterwards. */
  stop(): void;
}
