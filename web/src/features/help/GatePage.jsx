// /help/gate: a gate checks an exit pass — the QR code the resident shows (camera or a
// photo), or its text typed — and sees at once whether it holds now and who it is for.
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useState } from 'preact/hooks';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { QrReader } from '../../components/QrReader.jsx';
import { placeName } from '../../components/place.js';
import './help.css';

export function GatePage() {
  const { t } = useI18n();
  const [state, setState] = useState({ busy: false, error: null, answer: null });
  async function check(code) {
    setState({ busy: true, error: null, answer: null });
    try {
      setState({ busy: false, error: null, answer: await api.post('/passes/check', { code }) });
    } catch (error) {
      setState({ busy: false, error, answer: null });
    }
  }
  const a = state.answer;
  const labels = {
    noCode: t('help.gate.no_code'), camera: t('help.gate.camera'), stop: t('help.gate.stop'),
    photo: t('help.gate.photo'), type: t('help.gate.type'), send: t('help.gate.check'),
  };
  return (
    <main class="page page-narrow" data-testid="help-gate-page">
      <h1>{t('help.gate.title')}</h1>
      <p class="lead">{t('help.gate.intro')}</p>
      {a ? (
        <div class={a.valid ? 'help-pass help-pass-ok' : 'help-pass help-pass-bad'} role="status" data-testid="help-gate-answer">
          <strong>{a.valid ? t('help.gate.valid') : a.reason_text}</strong>
          <span>{[placeName(a), a.name].filter(Boolean).join(' · ')}</span>
          <span>{a.valid_from} – {a.valid_to} · {a.basis_text}</span>
        </div>
      ) : null}
      <ErrorMessage error={state.error} testId="help-gate-error" />
      <QrReader onCode={check} busy={state.busy} testId="help-gate" labels={labels} />
    </main>
  );
}
