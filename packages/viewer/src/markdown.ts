import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import { Marked, type Tokens } from 'marked';

// GitHub-flavoured Markdown → HTML → DOMPurify. Nothing user-written reaches the DOM
// as HTML any other way. Code is highlighted by highlight.js (which escapes its input);
// ```mermaid blocks become placeholders that drawMermaid() turns into SVG on demand.

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      if (language === 'mermaid') return `<pre class="mermaid-source">${escapeHtml(text)}</pre>`;
      const known = language && hljs.getLanguage(language) ? language : '';
      const html = known ? hljs.highlight(text, { language: known }).value : escapeHtml(text);
      return `<pre class="code"><code class="hljs${known ? ` language-${known}` : ''}">${html}</code></pre>`;
    },
  },
});

let hooked = false;
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.getAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
    if (node.tagName === 'INPUT') node.setAttribute('disabled', '');
  });
}

/** Sanitised HTML of a Markdown body. */
export function renderMarkdown(source: string): string {
  hookLinks();
  const raw = marked.parse(source, { async: false }) as string;
  return DOMPurify.sanitize(raw, {
    USE_PROFILES: { html: true },
    ADD_ATTR: ['target'],
    FORBID_TAGS: ['style', 'form', 'button', 'textarea', 'select'],
  });
}

let mermaidLoad: Promise<typeof import('mermaid')['default']> | undefined;
let diagramSeq = 0;

function loadMermaid(dark: boolean) {
  mermaidLoad ??= import('mermaid').then(({ default: mermaid }) => {
    // SVG text labels (not HTML in foreignObject), so the diagram survives DOMPurify's SVG profile intact.
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: dark ? 'dark' : 'default',
      htmlLabels: false,
      flowchart: { htmlLabels: false },
      fontFamily: 'ui-sans-serif, system-ui, sans-serif',
    });
    return mermaid;
  });
  return mermaidLoad;
}

/** Replaces the mermaid placeholders under `root` with rendered SVG (loads mermaid only if there are any). */
export async function drawMermaid(root: HTMLElement, dark: boolean): Promise<void> {
  const blocks = [...root.querySelectorAll<HTMLElement>('pre.mermaid-source')];
  if (blocks.length === 0) return;
  const mermaid = await loadMermaid(dark);
  for (const block of blocks) {
    if (!block.isConnected) continue;
    const figure = document.createElement('figure');
    figure.className = 'mermaid';
    try {
      const { svg } = await mermaid.render(`mermaid-${++diagramSeq}`, block.textContent ?? '');
      // Mermaid sanitises labels itself at securityLevel "strict"; DOMPurify checks the SVG again.
      figure.innerHTML = DOMPurify.sanitize(svg, {
        USE_PROFILES: { svg: true, svgFilters: true },
        ADD_TAGS: ['style'],
      });
    } catch (error) {
      figure.className = 'mermaid mermaid-error';
      figure.textContent = `Diagram error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (block.isConnected) block.replaceWith(figure);
  }
}
