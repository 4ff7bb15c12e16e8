// Picking a service of the rule catalog from what staff type: the exact name, an everyday word
// for it (the rules' topics), a part of either, or a typo of either ("公租方" → 公租房).
// Plain ES module without the DOM, so that a test can import it.

const normalize = (s) => s.replace(/[\s，。、,.？?！!（）()“”"'·:：]/g, "").toLowerCase();

function editDistance(a, b) {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}

/** Catalog services for what was typed, best first: exact name, a word for it, a part of it, a typo of either. */
export function matchServices(typed, services) {
  const q = normalize(typed);
  if (!q) return [];
  const scoreOf = (s) => {
    let best = Infinity;
    [s.name, ...s.topics].forEach((raw, k) => {
      const n = normalize(raw);
      // A word for the service counts less than its name, and the rule's first words most.
      const topic = k > 0 ? 1 + k / 1000 : 0;
      let score = Infinity;
      if (n === q) score = topic;
      else if (q.length >= 2 && n.includes(q)) score = 2 + topic + (n.length - q.length) / 100;
      else if (n.length >= 2 && q.includes(n)) score = 4 + topic + (q.length - n.length) / 100;
      else {
        const d = editDistance(q, n);
        if (d <= (Math.min(q.length, n.length) <= 4 ? 1 : 2) && d < Math.min(q.length, n.length)) score = 6 + topic + d;
      }
      best = Math.min(best, score);
    });
    return best;
  };
  return services
    .map((s, i) => ({ s, i, score: scoreOf(s) }))
    .filter((x) => x.score < Infinity)
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .map((x) => ({ service: x.s, exact: x.score === 0, score: x.score }));
}
