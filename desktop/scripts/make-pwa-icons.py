"""Makes the web app's icons from the desktop icon (run once; the PNGs are committed).

`python scripts/make-pwa-icons.py` with Pillow (a server dependency): 192 and 512 px
"any" icons, and a 512 px "maskable" one whose artwork sits inside the central 80 %
safe zone on a full brand-coloured square, as launchers crop it to their own shape.
"""

from pathlib import Path

from PIL import Image

here = Path(__file__).resolve().parent
source = Image.open(here.parent / "src/main/assets/icon.png").convert("RGBA")
out = here.parent / "src/renderer/public/icons"
out.mkdir(parents=True, exist_ok=True)

for size in (192, 512):
    source.resize((size, size), Image.Resampling.LANCZOS).save(out / f"icon-{size}.png", optimize=True)

# Maskable: the icon's own background colour fills the square; the artwork, scaled to
# 80 %, stays inside the safe zone whatever shape the launcher cuts.
fill = source.getpixel((source.width // 2, source.height // 2))
maskable = Image.new("RGBA", (512, 512), fill)
inner = source.resize((410, 410), Image.Resampling.LANCZOS)
maskable.alpha_composite(inner, ((512 - 410) // 2, (512 - 410) // 2))
maskable.convert("RGB").save(out / "icon-maskable-512.png", optimize=True)
