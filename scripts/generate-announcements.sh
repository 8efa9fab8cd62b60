#!/usr/bin/env bash
# Regenerates the demo announcements in resources/announcements (zh-CN, 8 kHz mono 16-bit WAV,
# G.711's rate, so rtpengine only re-encodes): speech from Debian's espeak-ng (Mandarin voice),
# the music on hold from sox. Sites replace them with their own recordings (HOTLINE_IVR_FILE).
# Needs: apt-get install espeak-ng sox
set -euo pipefail
cd "$(dirname "$0")/../resources/announcements"
say() { # file text
  espeak-ng -v cmn -s 220 -w "$1.tmp.wav" "$2"
  sox "$1.tmp.wav" -r 8000 -c 1 -b 16 "$1" norm -3 pad 0.3 0.3
  rm -f "$1.tmp.wav"
}
say welcome.wav '您好，欢迎致电12345政务服务便民热线。'
say menu.wav '综合业务请按1，消费投诉请按2，直接等待将为您转接人工服务。'
say closed.wav '现在是非工作时间。我们已记录您的来电，将在工作时间内给您回电。感谢您的来电，再见。'
say busy.wav '当前坐席全忙。我们已记录您的来电，稍后将给您回电。感谢您的耐心等待，再见。'
# Queue position (ivr.json "position"): 您前面还有 | <N> | 位来电，请耐心等待 — played in sequence by
# rtpengine, so the parts are padded only a little. Counting words (两 for 2), 0-20; more → many.
part() { # file text
  espeak-ng -v cmn -s 200 -w "$1.tmp.wav" "$2"
  sox "$1.tmp.wav" -r 8000 -c 1 -b 16 "$1" norm -3 pad 0.05 0.1
  rm -f "$1.tmp.wav"
}
mkdir -p position
part position/ahead.wav '您前面还有'
part position/callers.wav '位来电在等候，请耐心等待。'
part position/next.wav '下一位就为您服务，请稍候。'
part position/many.wav '您前面等候的来电较多，请耐心等待。'
words=(零 一 两 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十)
for n in "${!words[@]}"; do part "position/$n.wav" "${words[$n]}"; done
# Music on hold: a soft arpeggio (C major, then F and G), 8 s, looped by rtpengine.
notes=(C4 E4 G4 C5 F4 A4 C5 F5 G4 B4 D5 G5 C4 E4 G4 C5)
parts=()
for i in "${!notes[@]}"; do
  sox -n -r 8000 -c 1 -b 16 "hold-$i.tmp.wav" synth 0.5 pluck "${notes[$i]}" vol 0.4 fade 0 0.5 0.2
  parts+=("hold-$i.tmp.wav")
done
sox "${parts[@]}" hold.wav norm -6
rm -f hold-*.tmp.wav
