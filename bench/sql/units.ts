/** How the SQL benchmark's reports write a time and a rate. */
export const ms = (v: number) => `${v.toFixed(3)} ms`;
export const ps = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
