# Summary of loops-scaling.sh: each run, medians, paired ratios (loops 2 / loops 1).
# Server CPU per message (us) and per GiB (s) = the harness's serverProcessCpuPercent (the
# process's CPU over the measured window) divided by req/s or by GiB/s of payload.
import json,sys,glob,statistics as st,re
D=sys.argv[1] if len(sys.argv)>1 else "loadtest/results/loops-scaling"
def load(w,r,L):
    d=json.load(open(f'{D}/{w}-{r}-{L}.json'))['settings'][0]['runs'][0]
    up=open(f'{D}/up-{r}-{L}-{w}.txt').read()
    la=re.search(r'load average: ([\d.]+)',up).group(1); t=up.split()[0]
    cpu=d['serverProcessCpuPercent']/100
    if w=='pipe':
        thr=d['requestsPerSecond']; per=cpu/thr*1e6  # us per msg
    else:
        thr=d['payloadBytes']/d['seconds']/1e9  # GB/s
        per=cpu/(d['payloadBytes']/d['seconds']/2**30)  # s per GiB
    return dict(thr=thr,per=per,cpu=cpu*100,la=la,t=t,err=d['errors'],p50=d['p50Micros'],cl=d.get('clientBusyPercent'))
rounds=sorted({int(f.split('-')[1]) for f in map(lambda p:p.split('/')[-1],glob.glob(D+'/pipe-*.json'))})
for w in ['pipe','get']:
    print('==',w)
    rr={1:[],2:[]}; ratios_per=[];ratios_thr=[]
    for r in rounds:
        a=load(w,r,1); b=load(w,r,2)
        rr[1].append(a); rr[2].append(b)
        ratios_per.append(b['per']/a['per']); ratios_thr.append(b['thr']/a['thr'])
        order='1,2' if r%2 else '2,1'
        for L,x in ((1,a),(2,b)):
            print(f"r{r} order {order} loops{L} {x['t']} load {x['la']} thr {x['thr']:.3f} per {x['per']:.3f} srvcpu {x['cpu']:.0f}% clientbusy {x['cl']:.0f}% p50 {x['p50']/1000:.2f}ms err {x['err']}")
    for L in (1,2):
        print(f"loops{L} median thr {st.median(x['thr'] for x in rr[L]):.3f} per {st.median(x['per'] for x in rr[L]):.3f} cpu {st.median(x['cpu'] for x in rr[L]):.0f}%")
    print('ratio per 2/1', ['%.2f'%x for x in ratios_per], 'median %.2f'%st.median(ratios_per))
    print('ratio thr 2/1', ['%.2f'%x for x in ratios_thr], 'median %.2f'%st.median(ratios_thr))
