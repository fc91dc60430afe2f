// A labelled input, the shape every form of these pages uses.
export function Field({ label, name, type = 'text', value, onInput, autocomplete, testId, inputMode }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <input
        name={name}
        type={type}
        value={value}
        autocomplete={autocomplete}
        autocapitalize="none"
        spellcheck={false}
        inputMode={inputMode}
        data-testid={testId}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </label>
  );
}
