import { render } from 'preact';
import { App } from './app';
import { SignedOutGate } from './components/signed-out';
import './styles.css';

const root = document.getElementById('app');
if (root)
  render(
    <SignedOutGate>
      <App />
    </SignedOutGate>,
    root,
  );
