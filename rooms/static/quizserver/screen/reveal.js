// The reveal after a freeze (contest.unfrozen): from the frozen board, one team at a time,
// lowest-ranked first, each team's hidden points go up and the team moves to its true
// place. The server sends the steps; the screen plays them, a step every STEP_MS, and
// then shows the true board.
//
// A step names board positions (from_rank → to_rank) over the whole board, while the
// screen holds only its top. So the screen plays the steps on a prefix of the board: a
// team leaving the prefix shortens it, a team entering lengthens it, and the prefix stays
// exact. To start with a long prefix, the full frozen board is rebuilt by undoing the
// steps on the full true board (the public leaderboard, read once).

import { ordinal } from "./board.js";

export const STEP_MS = 1500;
const OFF_BOARD_STEP_MS = 250;

// Undo the steps on the true board: the frozen board, or null when it does not fit.
export function frozenFromTrue(trueTeams, steps) {
  const board = trueTeams.map((team) => ({ id: team.id, name: team.name, score: team.score }));
  for (const step of [...steps].reverse()) {
    const index = board.findIndex((team) => team.id === step.team);
    if (index === -1) return null;
    const [team] = board.splice(index, 1);
    team.score = step.from_score;
    board.splice(Math.min(step.from_rank - 1, board.length), 0, team);
  }
  return board;
}

// One step on a known prefix of the board (mutates `board`).
export function stepApply(board, step) {
  const index = board.findIndex((team) => team.id === step.team);
  let team = { id: step.team, name: step.name, score: step.to_score };
  if (index !== -1) [team] = board.splice(index, 1);
  team.score = step.to_score;
  team.name = step.name;
  const at = step.to_rank - 1;
  // Past the end of what is known: the team left the prefix (or was never in it).
  if (at <= board.length) board.splice(at, 0, team);
}

export function ranked(board) {
  return board.map((team, index) => ({ rank: index + 1, id: team.id, name: team.name, score: team.score }));
}

export function stepCaption(step) {
  const points = step.to_score - step.from_score;
  const change = points === 0 ? "no hidden points" : `${points > 0 ? "+" : "−"}${Math.abs(points)} points`;
  const move = step.from_rank === step.to_rank ? `stays ${ordinal(step.to_rank)}` : `${ordinal(step.from_rank)} → ${ordinal(step.to_rank)}`;
  return { name: step.name, detail: `${change} · ${step.to_score} · ${move}` };
}

// Plays a reveal. `show(board, step)` draws a board (ranked rows) with the moving team;
// `caption(step, index, count)` tells the room; `done()` ends it. Returns a stop function.
export function revealPlay({ start, steps, visibleRows, show, caption, done }) {
  const board = start.map((team) => ({ ...team }));
  let index = 0;
  let timer = null;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    if (index >= steps.length) {
      done();
      return;
    }
    const step = steps[index];
    index += 1;
    stepApply(board, step);
    const onBoard = Math.min(step.from_rank, step.to_rank) <= visibleRows();
    show(ranked(board), step);
    if (onBoard) caption(step, index, steps.length); // below the screen's rows: played quickly, unannounced
    timer = setTimeout(next, onBoard ? STEP_MS : OFF_BOARD_STEP_MS);
  };
  timer = setTimeout(next, STEP_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
