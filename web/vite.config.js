// Vite build of the jifen web app. Vant components are imported on demand (only
// what the screens use reaches the bundle); every text asset also gets a .gz
// twin that `jifen serve` sends to browsers that accept gzip.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { VantResolver } from '@vant/auto-import-resolver';
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function precompress() {
  let outDir = 'dist';
  return {
    name: 'jifen-precompress',
    apply: 'build',
    configResolved(c) { outDir = c.build.outDir; },
    closeBundle() {
      const walk = (dir) => {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.(js|css|html|svg|json)$/.test(name))
            writeFileSync(p + '.gz', gzipSync(readFileSync(p), { level: 9 }));
        }
      };
      walk(outDir);
    },
  };
}

// Vant's icon font is inlined as woff2; its CSS also names a CDN copy, which the
// server's Content-Security-Policy (font-src 'self' data:) refuses and a village
// box may not reach. Drop the CDN fallback.
function noCdnFont() {
  return {
    name: 'jifen-no-cdn-font',
    transform(code, id) {
      if (!id.includes('vant') || !id.endsWith('.css')) return null;
      return code.replace(/,\s*url\(["']?(https?:)?\/\/at\.alicdn\.com[^)]*\)\s*format\(["']?\w+["']?\)/g, '');
    },
  };
}

export default defineConfig({
  plugins: [vue(), Components({ resolvers: [VantResolver()], dts: false }), noCdnFont(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
