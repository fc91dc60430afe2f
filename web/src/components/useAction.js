// Runs one write at a time for a button or a form: {run, busy, error, message}. run(fn)
// awaits fn(), keeps the server's message of the answer (or its error) and calls done
// with the answer after a success.
import { useState } from 'preact/hooks';

export function useAction(done) {
  const [state, setState] = useState({ busy: false, error: null, message: '' });
  async function run(fn) {
    setState({ busy: true, error: null, message: '' });
    try {
      const answer = await fn();
      setState({ busy: false, error: null, message: answer?.message || '' });
      if (done) done(answer);
      return answer;
    } catch (error) {
      setState({ busy: false, error, message: '' });
      return null;
    }
  }
  return { ...state, run };
}
