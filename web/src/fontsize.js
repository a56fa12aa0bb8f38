// Font size for older users: standard, large, extra large. Scales Vant's font
// variables and the root size our own styles use (rem).
import { ref } from 'vue';

export const SIZES = { standard: 1, large: 1.2, xlarge: 1.4 };
export const fontSize = ref(localStorage.getItem('jifen.font') || 'standard');

const BASE = {
  '--van-font-size-xs': 10, '--van-font-size-sm': 12, '--van-font-size-md': 14,
  '--van-font-size-lg': 16, '--van-cell-font-size': 14, '--van-cell-line-height': 24,
  '--van-cell-label-font-size': 12, '--van-cell-large-title-font-size': 16,
  '--van-nav-bar-title-font-size': 16, '--van-button-normal-font-size': 14,
  '--van-button-large-height': 50, '--van-tabbar-item-font-size': 12,
  '--van-grid-item-text-font-size': 12, '--van-field-label-width': 96,
  '--van-tag-font-size': 12, '--van-tab-font-size': 14,
};

export function applyFontSize(name) {
  const f = SIZES[name] ? name : 'standard';
  fontSize.value = f;
  localStorage.setItem('jifen.font', f);
  const k = SIZES[f];
  const root = document.documentElement;
  root.style.fontSize = `${16 * k}px`;
  for (const [v, px] of Object.entries(BASE)) root.style.setProperty(v, `${Math.round(px * k)}px`);
  root.dataset.font = f;
}
applyFontSize(fontSize.value);
