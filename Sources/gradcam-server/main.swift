import Service
print("gradcam-server")
