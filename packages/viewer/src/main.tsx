// The base stylesheet first: each component's own rules come after it, as the modules import them.
import './styles.css';
import { render } from 'preact';
import { App } from './app';
import { SignedOutGate } from './components/signed-out';

const root = document.getElementById('app');
if (root)
  render(
    <SignedOutGate>
      <App />
    </SignedOutGate>,
    root,
  );
